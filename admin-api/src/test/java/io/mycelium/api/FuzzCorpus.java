package io.mycelium.api;

/** Seeded malformed documents of one type, for tests in other packages (see {@link MalformedDocuments}). */
public final class FuzzCorpus {
    private final MalformedDocuments documents;
    private final MalformedDocuments.Shape shape;

    /** The corpus of {@code type}, the same for the same seed. */
    public FuzzCorpus(Schemas.Type type, long seed) {
        this.documents = new MalformedDocuments(seed);
        this.shape = MalformedDocuments.SHAPES.stream()
                .filter(s -> s.type() == type)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no shape for " + type));
    }

    /** The next malformed document's text. */
    public String next() {
        return documents.next(shape);
    }
}
