package io.mycelium.wasm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.wasm.capability.AbiStatus;
import io.mycelium.wasm.capability.Capability;
import io.mycelium.wasm.capability.CapabilityDenial;
import io.mycelium.wasm.capability.CapabilityListener;
import io.mycelium.wasm.capability.CapabilityProvider;
import io.mycelium.wasm.capability.Grants;
import io.mycelium.wasm.capability.HttpProvider;
import io.mycelium.wasm.capability.HttpRequest;
import io.mycelium.wasm.capability.HttpResponse;
import io.mycelium.wasm.capability.KvProvider;
import io.mycelium.wasm.capability.LogProvider;
import io.mycelium.wasm.capability.MessagingProvider;
import io.mycelium.wasm.capability.ProviderException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * The host side of the capability ABI for one instance: the import object handed to GraalWasm, and the dispatch from
 * each imported function to the granted provider. A function of a capability that is not granted throws {@link
 * CapabilityDeniedException} (stopping the call) after telling the {@link CapabilityListener}.
 *
 * <p>Functions that return bytes deliver them into the guest's (out_ptr, out_cap) buffer when they fit, and return
 * their length either way; a result that did not fit is kept as the capability's pending result until {@code take}
 * collects it or the next call of that capability replaces it.
 */
final class CapabilityImports {
    /** Longest log message passed on; the rest is cut. */
    static final int MAX_LOG_MESSAGE = 8 * 1024;

    private final String moduleSha256;
    private final String moduleName;
    private final Set<Capability> imported;
    private final Grants grants;
    private final CapabilityListener listener;
    private final Map<Capability, byte[]> pending = new EnumMap<>(Capability.class);
    private GuestMemory memory = new GuestMemory(null);

    CapabilityImports(
            String moduleSha256,
            String moduleName,
            Set<Capability> imported,
            Grants grants,
            CapabilityListener listener) {
        this.moduleSha256 = moduleSha256;
        this.moduleName = moduleName;
        this.imported = imported;
        this.grants = grants;
        this.listener = listener;
    }

    /** The import object: one member per imported capability module, one function per ABI function. */
    ProxyObject importObject() {
        Map<String, Object> modules = new LinkedHashMap<>();
        for (Capability c : imported) {
            Map<String, Object> functions = new LinkedHashMap<>();
            for (String fn : c.functions().keySet()) {
                functions.put(fn, (ProxyExecutable) args -> dispatch(c, fn, args));
            }
            modules.put(c.importModule(), ProxyObject.fromMap(functions));
        }
        return ProxyObject.fromMap(modules);
    }

    /** Binds the instance's exported memory, once instantiated. */
    void bind(Value exportedMemory) {
        memory = new GuestMemory(exportedMemory);
    }

    private Object dispatch(Capability capability, String function, Value[] args) {
        Optional<CapabilityProvider> provider = grants.provider(capability);
        if (provider.isEmpty()) {
            try {
                listener.denied(new CapabilityDenial(moduleSha256, moduleName, capability, function, Instant.now()));
            } catch (RuntimeException ignored) {
                // An audit hook must not change the outcome.
            }
            throw new CapabilityDeniedException(moduleName, capability, function, "");
        }
        int[] a = new int[args.length];
        for (int i = 0; i < args.length; i++) {
            a[i] = args[i].asInt();
        }
        try {
            return switch (provider.get()) {
                case KvProvider kv -> kv(kv, function, a);
                case HttpProvider http -> http(http, function, a);
                case MessagingProvider messaging -> messaging(messaging, function, a);
                case LogProvider log -> log(log, a);
            };
        } catch (PolyglotException e) {
            throw e; // the context is being cancelled or closed: let it unwind
        } catch (GuestMemory.OutOfBounds | BadArgument e) {
            return AbiStatus.INVALID.code();
        } catch (ProviderException e) {
            return e.status().code();
        } catch (RuntimeException e) {
            return AbiStatus.FAILED.code();
        }
    }

    private int kv(KvProvider kv, String function, int[] a) {
        return switch (function) {
            case "get" -> {
                Optional<byte[]> value = kv.get(memory.read(a[0], a[1]));
                yield value.isPresent() ? deliver(Capability.KV, value.get(), a[2], a[3]) : AbiStatus.NOT_FOUND.code();
            }
            case "set" -> {
                kv.set(memory.read(a[0], a[1]), memory.read(a[2], a[3]));
                yield 0;
            }
            case "delete" -> kv.delete(memory.read(a[0], a[1])) ? 0 : AbiStatus.NOT_FOUND.code();
            default -> take(Capability.KV, a[0], a[1]);
        };
    }

    private int http(HttpProvider http, String function, int[] a) {
        if (function.equals("take")) {
            return take(Capability.HTTP, a[0], a[1]);
        }
        HttpRequest request = httpRequest(memory.read(a[0], a[1]));
        HttpResponse response = http.send(request);
        ObjectNode json = JsonCodec.MAPPER.createObjectNode();
        json.put("status", response.status());
        ObjectNode headers = json.putObject("headers");
        response.headers().forEach(headers::put);
        json.put("body", response.body());
        return deliver(Capability.HTTP, JsonCodec.write(json), a[2], a[3]);
    }

    private int messaging(MessagingProvider messaging, String function, int[] a) {
        return switch (function) {
            case "publish" -> {
                messaging.publish(utf8(memory.read(a[0], a[1])), memory.read(a[2], a[3]));
                yield 0;
            }
            case "request" -> {
                Duration timeout = Duration.ofMillis(Math.max(1, a[4]));
                Optional<byte[]> reply =
                        messaging.request(utf8(memory.read(a[0], a[1])), memory.read(a[2], a[3]), timeout);
                yield reply.isPresent()
                        ? deliver(Capability.MESSAGING, reply.get(), a[5], a[6])
                        : AbiStatus.NOT_FOUND.code();
            }
            default -> take(Capability.MESSAGING, a[0], a[1]);
        };
    }

    private int log(LogProvider log, int[] a) {
        LogProvider.LogLevel[] levels = LogProvider.LogLevel.values();
        if (a[0] < 0 || a[0] >= levels.length) {
            return AbiStatus.INVALID.code();
        }
        byte[] bytes = memory.read(a[1], Math.min(a[2] < 0 ? MAX_LOG_MESSAGE : a[2], MAX_LOG_MESSAGE));
        log.log(levels[a[0]], new String(bytes, StandardCharsets.UTF_8));
        return 0;
    }

    /** Writes {@code result} to (ptr, cap) when it fits, else keeps it for {@code take}; returns its length. */
    private int deliver(Capability capability, byte[] result, int ptr, int cap) {
        pending.remove(capability);
        if (result.length <= Integer.toUnsignedLong(cap)) {
            memory.write(ptr, result);
        } else {
            pending.put(capability, result);
        }
        return result.length;
    }

    private int take(Capability capability, int ptr, int cap) {
        byte[] result = pending.get(capability);
        if (result == null) {
            return AbiStatus.NO_RESULT.code();
        }
        if (result.length <= Integer.toUnsignedLong(cap)) {
            memory.write(ptr, result);
            pending.remove(capability);
        }
        return result.length;
    }

    private static HttpRequest httpRequest(byte[] bytes) {
        JsonNode json;
        try {
            json = JsonCodec.parse(bytes);
        } catch (IOException e) {
            throw new BadArgument();
        }
        JsonNode url = json.get("url");
        if (!json.isObject() || url == null || !url.isTextual()) {
            throw new BadArgument();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        JsonNode h = json.path("headers");
        if (h.isObject()) {
            h.properties().forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
        }
        String method = json.path("method").asText("GET").toUpperCase(java.util.Locale.ROOT);
        return new HttpRequest(
                method.isEmpty() ? "GET" : method,
                url.asText(),
                headers,
                json.path("body").asText(""));
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadArgument();
        }
    }

    /** Arguments the guest got wrong: it gets {@code INVALID}. */
    private static final class BadArgument extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadArgument() {
            super(null, null, false, false);
        }
    }
}
