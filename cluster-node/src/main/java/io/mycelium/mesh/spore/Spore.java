package io.mycelium.mesh.spore;

/**
 * A spore that passed verification: its manifest and the sha256 of the {@code .spore} file, the digest the repo
 * stores it under.
 */
public record Spore(SporeManifest manifest, String digest) {
    /** The entry names of a spore. */
    public static final String MANIFEST = "manifest.json";

    /** The binary's entry name, and its file name once extracted. */
    public static final String BINARY = "binary";
}
