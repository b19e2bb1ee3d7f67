package io.mycelium;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** {@link Context#callJson} through a real agent on this machine: the jars go to its cache, a worker serves. */
class FunctionCallTest extends FunctionCallContract {
    @TempDir
    static Path dir;

    static FunctionRegistry registry;

    @BeforeAll
    static void compile() throws Exception {
        registry = TestFunctions.registry(dir);
    }

    @Override
    Mycelium mycelium() {
        return Mycelium.standalone().functions(registry);
    }

    @Override
    Session session() {
        return Session.local();
    }

    @Override
    int hostJava() {
        return Runtime.version().feature();
    }
}
