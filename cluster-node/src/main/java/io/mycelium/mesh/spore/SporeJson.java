package io.mycelium.mesh.spore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** Reads and writes manifests; unknown fields are refused so that nothing rides along unsigned. */
final class SporeJson {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private SporeJson() {}

    static SporeManifest read(byte[] json) {
        try {
            SporeManifest manifest = MAPPER.readValue(json, SporeManifest.class);
            if (manifest == null) {
                throw new SporeException.Malformed("manifest.json is empty", null);
            }
            return manifest;
        } catch (java.io.IOException e) {
            String why = e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
            throw new SporeException.Malformed("manifest.json is not a valid manifest: " + why, e);
        }
    }

    static byte[] write(SporeManifest manifest) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes that are signed: compact JSON of the manifest with integrity.signature null. */
    static byte[] canonical(SporeManifest manifest) {
        SporeManifest.Integrity i = manifest.integrity();
        SporeManifest unsigned = manifest.withIntegrity(
                i == null ? null : new SporeManifest.Integrity(i.binarySha256(), null, i.publicKey(), i.createdAt()));
        try {
            return MAPPER.writeValueAsBytes(unsigned);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
