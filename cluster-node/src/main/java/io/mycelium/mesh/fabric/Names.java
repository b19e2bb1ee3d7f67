package io.mycelium.mesh.fabric;

/** The rule for app names: they are URL path segments at the edge and directory names on nodes. */
final class Names {
    private Names() {}

    static void checkApp(String app) {
        if (app == null || !app.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new IllegalArgumentException(
                    "app: 1-63 of a-z, 0-9 and '-', starting with a letter or digit, not " + app);
        }
    }
}
