package io.mycelium.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mycelium.wasm.capability.Capability;
import io.mycelium.wasm.capability.CapabilityDenial;
import io.mycelium.wasm.capability.Grants;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Capability imports: denied unless granted (and the host hears of it), dispatched to providers when granted. */
class CapabilityTest {
    private static final List<CapabilityDenial> DENIALS = new CopyOnWriteArrayList<>();
    private static WasmRuntime runtime;

    @BeforeAll
    static void start() {
        runtime = WasmRuntime.builder().onCapabilityDenied(DENIALS::add).build();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @BeforeEach
    void clear() {
        DENIALS.clear();
    }

    @Test
    void ungrantedCapabilityFailsTheCallAndTheHostIsTold() {
        WasmModule kv = runtime.load(TestModules.bytes("kv"), "kv");

        assertThat(kv.capabilities()).containsExactly(Capability.KV);
        assertThatThrownBy(() -> kv.call(Json.parse("{\"x\":1}")))
                .isInstanceOfSatisfying(CapabilityDeniedException.class, e -> {
                    assertThat(e.code()).isEqualTo(WasmErrorCode.CAPABILITY_DENIED);
                    assertThat(e.capability()).isEqualTo(Capability.KV);
                    assertThat(e.function()).isEqualTo("set");
                    assertThat(e).hasMessage("kv called mycelium:kv.set but capability 'kv' is not granted");
                });
        assertThat(DENIALS).singleElement().satisfies(d -> {
            assertThat(d.capability()).isEqualTo(Capability.KV);
            assertThat(d.function()).isEqualTo("set");
            assertThat(d.moduleName()).isEqualTo("kv");
            assertThat(d.moduleSha256()).isEqualTo(kv.sha256());
        });
    }

    @Test
    void grantingAnotherCapabilityDoesNotGrantThisOne() {
        WasmModule kv = runtime.load(TestModules.bytes("kv"), "kv");
        CallOptions logOnly = CallOptions.defaults().withGrants(Grants.of(new InMemoryProviders.Log()));

        assertThatThrownBy(() -> kv.call(Json.parse("{}"), logOnly)).isInstanceOf(CapabilityDeniedException.class);
        assertThat(DENIALS).hasSize(1);
    }

    @Test
    void grantedKvWorksThroughTheResultBufferProtocol() {
        WasmModule kv = runtime.load(TestModules.bytes("kv"), "kv");
        InMemoryProviders.Kv store = new InMemoryProviders.Kv();

        WasmResult result = kv.call(
                Json.parse("{\"hello\":\"world\"}"), CallOptions.defaults().withGrants(Grants.of(store)));

        int length = "{\"hello\":\"world\"}".length();
        assertThat(result.output())
                .isEqualTo(Json.parse("{\"set\":0,\"get\":" + length + ",\"took\":" + length + ",\"takeAgain\":-6,"
                        + "\"deleted\":0,\"deletedAgain\":-1,\"missing\":-1,\"invalid\":-2,"
                        + "\"value\":{\"hello\":\"world\"}}"));
        assertThat(store.operations)
                .containsExactly("set greeting", "get greeting", "delete greeting", "delete greeting", "get nope");
        assertThat(store.entries).isEmpty();
        assertThat(DENIALS).isEmpty();
    }

    @Test
    void logHttpAndMessagingReachTheirProviders() {
        WasmModule module = runtime.load(TestModules.bytes("capabilities"), "capabilities");
        InMemoryProviders.Log log = new InMemoryProviders.Log();
        InMemoryProviders.Http http = new InMemoryProviders.Http();
        InMemoryProviders.Messaging messaging = new InMemoryProviders.Messaging();

        WasmResult result =
                module.call(Json.parse("{}"), CallOptions.defaults().withGrants(Grants.of(log, http, messaging)));

        assertThat(result.output())
                .isEqualTo(Json.parse("{\"logged\":0,\"http\":{\"status\":200,\"headers\":{\"content-type\":"
                        + "\"text/plain\"},\"body\":\"POST hi\"},\"badRequest\":-2,\"published\":0,"
                        + "\"reply\":\"ocram\",\"nobody\":-1}"));
        assertThat(log.lines).containsExactly("INFO hello from wasm");
        assertThat(http.requests).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.url()).isEqualTo("https://example.test/x");
            assertThat(r.headers()).containsEntry("a", "b");
        });
        assertThat(messaging.published).containsExactly("events ping");
    }

    @Test
    void eachCapabilityIsDeniedByName() {
        WasmModule module = runtime.load(TestModules.bytes("capabilities"), "capabilities");
        InMemoryProviders.Log log = new InMemoryProviders.Log();

        assertThatThrownBy(() ->
                        module.call(Json.parse("{}"), CallOptions.defaults().withGrants(Grants.of(log))))
                .isInstanceOfSatisfying(CapabilityDeniedException.class, e -> {
                    assertThat(e.capability()).isEqualTo(Capability.HTTP);
                    assertThat(e.function()).isEqualTo("request");
                });
        assertThat(log.lines).containsExactly("INFO hello from wasm");
        assertThat(DENIALS).extracting(CapabilityDenial::capability).containsExactly(Capability.HTTP);
    }

    @Test
    void grantsRefuseTwoProvidersOfOneCapability() {
        assertThatThrownBy(() -> Grants.of(new InMemoryProviders.Kv(), new InMemoryProviders.Kv()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capability kv is already granted");
        assertThat(Grants.none().capabilities()).isEmpty();
        assertThat(new String(Capability.KV.importModule().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .isEqualTo("mycelium:kv");
    }
}
