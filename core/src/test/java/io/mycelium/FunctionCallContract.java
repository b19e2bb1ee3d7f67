package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link Context#callJson} does on any host; {@link FunctionCallTest} runs it on a local agent, {@link
 * SshFunctionIT} on an SSH test host with Java 17. Registries are compiled fresh (jars no host has seen).
 */
abstract class FunctionCallContract {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A new Mycelium with the registry set. */
    abstract Mycelium mycelium();

    /** The session the calls go to. */
    abstract Session session();

    /** The Java feature version the host's agent runs on, which the worker uses too. */
    abstract int hostJava();

    static JsonNode call(Context context, String name, String input) throws Exception {
        try {
            return context.callJson(name, JSON.readTree(input))
                    .toCompletableFuture()
                    .get(2, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    void theJarsAreShippedOnceAndCallsAnswer(@TempDir Path dir) throws Exception {
        FunctionRegistry fresh = TestFunctions.registry(dir);
        String before;
        String afterFirst;
        try (Mycelium mycelium = mycelium().functions(fresh)) {
            Context context = mycelium.open(session());
            before = TestFunctions.installed(context, fresh);
            JsonNode out = call(context, "echo", "{\"text\":\"héllo\",\"n\":[1,2.5,null,true]}");
            assertThat(out.path("echo")).isEqualTo(JSON.readTree("{\"text\":\"héllo\",\"n\":[1,2.5,null,true]}"));
            assertThat(out.path("java").asInt()).isEqualTo(hostJava());
            afterFirst = TestFunctions.installed(context, fresh);
            // The second call on the same context goes to the running worker.
            assertThat(call(context, "echo", "7").path("echo").asInt()).isEqualTo(7);
        }
        assertThat(before).as("a registry no host has seen").isEmpty();
        assertThat(afterFirst).isNotEmpty();
        // A new controller and connection find the jars where the first put them: nothing is sent again, so the
        // folder is the same one (inode and time), not a new copy.
        try (Mycelium mycelium = mycelium().functions(fresh)) {
            Context context = mycelium.open(session());
            assertThat(call(context, "echo", "\"again\"").path("echo").asText()).isEqualTo("again");
            assertThat(TestFunctions.installed(context, fresh)).isEqualTo(afterFirst);
        }
    }

    @Test
    void aFunctionsExceptionArrivesWithItsRemoteStackTrace() throws Exception {
        try (Mycelium mycelium = mycelium()) {
            Context context = mycelium.open(session());
            FunctionCallException e =
                    assertThrows(FunctionCallException.class, () -> call(context, "fail", "{\"n\":3}"));
            assertThat(e.failure()).isEqualTo(FunctionCallException.Failure.THREW);
            assertThat(e.code()).isEqualTo(io.mycelium.wire.ErrorCode.FUNCTION_FAILED);
            assertThat(e.remoteClass()).contains("java.lang.IllegalStateException");
            assertThat(e.remoteMessage()).contains("cannot handle 3");
            assertThat(Arrays.stream(e.remoteStackTrace())
                            .map(f -> f.getClassName() + "." + f.getMethodName())
                            .toList())
                    .startsWith("fn.Fail.check", "fn.Fail.apply");
            assertThat(e.remoteStackTrace()[0].getFileName()).isEqualTo("Fail.java");
            RemoteCauseException remote = (RemoteCauseException) e.getCause();
            assertThat(remote.remoteType()).isEqualTo("java.lang.IllegalStateException");
            assertThat(remote.getStackTrace()).isEqualTo(e.remoteStackTrace());
            RemoteCauseException cause = (RemoteCauseException) remote.getCause();
            assertThat(cause.remoteType()).isEqualTo("java.io.IOException");
            assertThat(cause.getMessage()).contains("disk 3 is on fire");
            // The worker goes on serving.
            assertThat(call(context, "echo", "1").path("echo").asInt()).isEqualTo(1);
        }
    }

    @Test
    void anUnregisteredNameFailsWithoutTouchingTheHost() throws Exception {
        try (Mycelium mycelium = mycelium()) {
            Context context = mycelium.open(session());
            FunctionCallException e = assertThrows(FunctionCallException.class, () -> call(context, "rm-rf", "{}"));
            assertThat(e.failure()).isEqualTo(FunctionCallException.Failure.NOT_REGISTERED);
            assertThat(e.getMessage()).contains("rm-rf").contains("[echo, fail, slow]");
            // Not even a connection was made for it.
            assertThat(context.ensureAgent().toCompletableFuture().isDone()).isFalse();
            mycelium.functions(FunctionRegistry.empty());
            assertThat(assertThrows(FunctionCallException.class, () -> call(context, "echo", "1"))
                            .failure())
                    .isEqualTo(FunctionCallException.Failure.NOT_REGISTERED);
        }
    }

    @Test
    void concurrentCallsRunAtOnceAndEachGetsItsOwnAnswer() throws Exception {
        try (Mycelium mycelium = mycelium()) {
            Context context = mycelium.open(session());
            call(context, "echo", "0"); // the worker is up
            int calls = 16;
            long start = System.nanoTime();
            List<CompletableFuture<JsonNode>> results = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                results.add(context.callJson("slow", JSON.readTree("{\"ms\":400,\"i\":" + i + "}"))
                        .toCompletableFuture());
            }
            for (int i = 0; i < calls; i++) {
                assertThat(results.get(i).get(60, TimeUnit.SECONDS).asInt()).isEqualTo(2 * i);
            }
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            // 16 x 400 ms one at a time would be 6.4 s; the worker runs 4 at once.
            assertThat(elapsedMillis).isLessThan(4_000);
        }
    }
}
