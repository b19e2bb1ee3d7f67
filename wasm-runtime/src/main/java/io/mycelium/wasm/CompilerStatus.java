package io.mycelium.wasm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.graalvm.polyglot.Engine;

/**
 * Whether Truffle's optimizing compiler runs Wasm here, or its fallback runtime interprets it (roughly 50 times
 * slower). On a stock JDK the compiler needs {@link #JVM_FLAGS} with the Graal compiler jars (compiler, truffle-compiler,
 * word, collections; the polyglot version, never newer than the JDK's JVMCI) in one folder on the upgrade module path.
 *
 * @param optimizing true when code is compiled to native code
 * @param implementation the engine's implementation name ({@code Interpreted} for the fallback runtime)
 * @param reason why the compiler is missing (Truffle's own words), empty when it is there
 */
public record CompilerStatus(boolean optimizing, String implementation, String reason) {
    /** The JVM flags that enable it; the last one needs the folder of compiler jars appended. */
    public static final String JVM_FLAGS =
            "-XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI --upgrade-module-path=<graal-compiler folder>";

    /** Detected once per JVM: the answer cannot change while it runs. */
    public static CompilerStatus current() {
        return Holder.STATUS;
    }

    /** One line for a log or an error: what runs Wasm, and how to fix it when it is the interpreter. */
    public String describe() {
        if (optimizing) {
            return "Wasm runs with Truffle's optimizing compiler (" + implementation + ")";
        }
        return "Wasm runs in Truffle's fallback interpreter, about 50x slower than compiled: the optimizing compiler"
                + " is not enabled" + (reason.isEmpty() ? "" : " (" + reason + ")") + ". Start the JVM with "
                + JVM_FLAGS + " (bin/mycelium and the wasm-runtime tests do; the folder is"
                + " wasm-runtime/target/graal-compiler)";
    }

    private static CompilerStatus detect() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Engine engine = Engine.newBuilder()
                .option("engine.WarnInterpreterOnly", "true")
                .logHandler(log)
                .build();
        try {
            String name = engine.getImplementationName();
            String text = log.toString(StandardCharsets.UTF_8);
            boolean fallback = "Interpreted".equals(name) || text.contains("fallback runtime");
            return new CompilerStatus(!fallback, name, fallback ? cause(text) : "");
        } finally {
            // The first engine closed in a JVM takes ~100 ms (class loading); nobody needs to wait for this one.
            Thread.ofVirtual().name("mycelium-wasm-probe-close").start(engine::close);
        }
    }

    /** Truffle's "The following cause was found: ..." sentence, or the first warning line. */
    private static String cause(String log) {
        for (String line : log.split("\\R")) {
            int i = line.indexOf("The following cause was found: ");
            if (i >= 0) {
                return line.substring(i + "The following cause was found: ".length())
                        .trim();
            }
        }
        for (String line : log.split("\\R")) {
            if (line.contains("fallback runtime")) {
                return line.replaceFirst("^\\[engine\\] WARNING: ", "").trim();
            }
        }
        return "";
    }

    private static final class Holder {
        static final CompilerStatus STATUS = detect();
    }
}
