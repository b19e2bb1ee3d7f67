package io.mycelium.mesh.spore;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A spore's manifest.json. Field order is fixed and env is sorted, so that the bytes that are signed are the same
 * wherever the manifest is re-serialised ({@link SporeJson#canonical}).
 */
@JsonPropertyOrder({"identity", "runtime", "resources", "slo", "security", "integrity"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SporeManifest(
        Identity identity, Runtime runtime, Resources resources, Slo slo, Security security, Integrity integrity) {

    /** What the spore is; kind is always {@code Spore}. */
    @JsonPropertyOrder({"kind", "name", "version"})
    public record Identity(String kind, String name, String version) {}

    /** How to start it; command may be {@code ./binary}. */
    @JsonPropertyOrder({"command", "args", "env"})
    public record Runtime(String command, List<String> args, Map<String, String> env) {
        public Runtime {
            args = args == null ? List.of() : List.copyOf(args);
            env = env == null ? new TreeMap<>() : new TreeMap<>(env);
        }
    }

    /** What it may use. */
    public record Resources(Nutrients nutrients) {}

    /** CPU in thousandths of a core and memory in MiB. */
    @JsonPropertyOrder({"cpu_milli", "memory_mb"})
    public record Nutrients(
            @JsonProperty("cpu_milli") int cpuMilli,
            @JsonProperty("memory_mb") int memoryMb) {}

    /** Service level objective, recorded. */
    public record Slo(@JsonProperty("p99_budget_ms") int p99BudgetMs) {}

    /** Recorded, not enforced. */
    @JsonPropertyOrder({"lsm_profile", "read_only_fs"})
    public record Security(
            @JsonProperty("lsm_profile") String lsmProfile,
            @JsonProperty("read_only_fs") boolean readOnlyFs) {}

    /** Filled by pack. */
    @JsonPropertyOrder({"binary_sha256", "signature", "public_key", "created_at"})
    public record Integrity(
            @JsonProperty("binary_sha256") String binarySha256,
            String signature,
            @JsonProperty("public_key") String publicKey,
            @JsonProperty("created_at") String createdAt) {}

    /** This manifest with {@code integrity} replaced. */
    public SporeManifest withIntegrity(Integrity replacement) {
        return new SporeManifest(identity, runtime, resources, slo, security, replacement);
    }

    /** The spore's name, or a placeholder when the manifest has no identity. */
    public String name() {
        return identity == null ? "?" : identity.name();
    }

    /** Checks the fields a node needs to run the spore. */
    void validate() {
        if (identity == null || !"Spore".equals(identity.kind())) {
            throw new SporeException.Malformed("manifest.json: identity.kind must be \"Spore\"", null);
        }
        if (identity.name() == null || !identity.name().matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new SporeException.Malformed(
                    "manifest.json: identity.name must be 1-63 of a-z, 0-9 and '-': " + identity.name(), null);
        }
        if (identity.version() == null || identity.version().isBlank()) {
            throw new SporeException.Malformed("manifest.json: identity.version is missing", null);
        }
        if (runtime == null || runtime.command() == null || runtime.command().isBlank()) {
            throw new SporeException.Malformed("manifest.json: runtime.command is missing", null);
        }
    }
}
