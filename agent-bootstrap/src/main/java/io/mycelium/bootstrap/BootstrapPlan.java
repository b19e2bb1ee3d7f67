package io.mycelium.bootstrap;

import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.OperationFailedException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the controller tells stage 1 to do, decided from the {@link HostProbe}: which Java to run (the host's, a cached
 * runtime, or one shipped now), where the agent jar goes (a memfd, a directory it is unlinked from once the JVM has it
 * open, or a cached copy), and the JVM flags.
 *
 * @param java path of the java to run, or {@code @runtime} for the runtime's own
 * @param javaFeature the feature version of that Java
 * @param javaSource how the Java was found, for the report
 * @param jarPlace {@code memfd}, {@code @cached}, or a directory
 * @param sendJar whether the agent jar follows the plan line
 * @param runtimeDir where the runtime is or goes, or {@code -}
 * @param sendRuntime whether the runtime archive follows the plan line (before the jar)
 * @param runtimeTree the digest stage 1 checks the runtime's files against before running it, or null
 * @param signatureDir where stage 1 keeps a signature while it checks it, or null when the host needs none
 * @param jvmFlags flags for the agent's JVM
 */
public record BootstrapPlan(
        String java,
        int javaFeature,
        String javaSource,
        String jarPlace,
        boolean sendJar,
        String runtimeDir,
        boolean sendRuntime,
        String runtimeTree,
        String signatureDir,
        List<String> jvmFlags) {

    /** The oldest Java the agent runs on. */
    public static final int MIN_JAVA = 17;

    /** Where the agent jar may go; {@link #AUTO} picks the best the host offers. */
    public enum JarPlacement {
        AUTO,
        MEMFD,
        DEV_SHM,
        TMPDIR,
        /** The macOS/BSD way ({@code /tmp}, unlinked once the JVM opened it), forced on any host for tests. */
        TMP
    }

    /**
     * A runtime the controller can ship to hosts without Java.
     *
     * @param platform {@code uname -s} and {@code uname -m} it is built for, e.g. {@code Linux x86_64}
     * @param sha256 hex sha256 of the archive
     * @param javaFeature its Java feature version
     * @param treeSha256 digest of the unpacked runtime's files, which stage 1 checks before every use
     */
    public record Runtime(String platform, String sha256, int javaFeature, String treeSha256) {}

    /**
     * Decides the plan.
     *
     * @param runtime the runtime the controller can ship, or null
     * @param cacheRuntime whether a shipped runtime may stay in {@code ~/.cache/mycelium} for the next connection
     * @param canSign whether the controller has a signing key, for hosts that accept only signed artifacts
     * @throws OperationFailedException with {@link ErrorCode#BOOTSTRAP_FAILED} when the host cannot run the agent,
     *     saying what is missing and what would fix it
     */
    public static BootstrapPlan decide(
            String host,
            HostProbe probe,
            JarPlacement placement,
            Runtime runtime,
            boolean cacheRuntime,
            boolean canSign) {
        String java;
        int feature;
        String javaSource;
        String runtimeDir = "-";
        boolean sendRuntime = false;
        if (probe.java() != null && probe.javaFeature() >= MIN_JAVA) {
            java = probe.java();
            feature = probe.javaFeature();
            javaSource = "host Java " + probe.javaVersion() + " at " + probe.java();
        } else if (runtime != null && probe.runtimeCached() != null) {
            java = "@runtime";
            feature = runtime.javaFeature();
            runtimeDir = probe.runtimeCached();
            javaSource = "shipped Java " + feature + " runtime, cached at " + runtimeDir;
        } else if (runtime != null && runtime.platform().equals(probe.platform())) {
            java = "@runtime";
            feature = runtime.javaFeature();
            runtimeDir = runtimeDir(host, probe, runtime, cacheRuntime);
            sendRuntime = true;
            javaSource = "shipped Java " + feature + " runtime into " + runtimeDir
                    + (runtimeDir.contains("/.cache/mycelium/") ? " (cached)" : " (removed when the session ends)");
        } else {
            String found = probe.java() == null
                    ? "no Java"
                    : "Java " + probe.javaVersion() + " at " + probe.java() + ", older than " + MIN_JAVA;
            String shipped = runtime == null
                    ? "this controller has no runtime to ship"
                    : "the runtime this controller ships is for " + runtime.platform() + " only";
            throw failure(host + " (" + probe.platform() + ") has " + found + ", and " + shipped + ": install Java "
                    + MIN_JAVA + " or newer there");
        }
        String jarPlace = jarPlace(host, probe, placement);
        boolean sendJar = !jarPlace.equals("@cached");
        String tree = java.equals("@runtime") ? runtime.treeSha256() : null;
        String signatureDir = probe.trust() == null ? null : signatureDir(host, probe, canSign);
        return new BootstrapPlan(
                java,
                feature,
                javaSource,
                jarPlace,
                sendJar,
                runtimeDir,
                sendRuntime,
                tree,
                signatureDir,
                AgentJvm.flagsFor(feature));
    }

    /** Whether stage 1 wants a signature before each artifact. */
    public boolean signed() {
        return signatureDir != null;
    }

    /**
     * The line stage 1 reads: {@code load JAVA JARPLACE JARLEN RTDIR RTLEN RTTREE JSIGLEN RSIGLEN SIGDIR FLAGS...}.
     * The payload follows in this order: runtime signature, runtime, agent signature, agent jar (each only if sent).
     */
    public String planLine(int jarLength, long runtimeLength, int jarSignatureLength, int runtimeSignatureLength) {
        return "load " + java + " " + jarPlace + " " + (sendJar ? jarLength : 0) + " " + runtimeDir + " "
                + (sendRuntime ? runtimeLength : 0) + " " + (runtimeTree == null ? "-" : runtimeTree) + " "
                + (signed() && sendJar ? jarSignatureLength : 0) + " "
                + (signed() && sendRuntime ? runtimeSignatureLength : 0) + " "
                + (signatureDir == null ? "-" : signatureDir) + " " + String.join(" ", jvmFlags) + "\n";
    }

    /** How the agent got into its JVM, for the report. */
    public String loadPath() {
        return switch (jarPlace) {
            case "memfd" -> "memfd (perl memfd_create, java -cp /proc/self/fd/N)";
            case "@cached" -> "cached jar in ~/.cache/mycelium";
            default -> jarPlace + " (unlinked once the JVM opened it)";
        };
    }

    private static String signatureDir(String host, HostProbe probe, boolean canSign) {
        if (!canSign) {
            throw failure(host + " accepts only agents and runtimes signed by a key in " + probe.trust()
                    + ", and this controller has no signing key: configure one (Session.ssh(...).signWith(key))");
        }
        if (!probe.sshsig()) {
            throw failure(host + " requires signed artifacts (" + probe.trust()
                    + ") but has no ssh-keygen to check signatures: install openssh-client there");
        }
        for (String dir : List.of("/dev/shm", probe.tmpdir(), "/tmp", probe.home())) {
            if (probe.writable(dir)) {
                return dir;
            }
        }
        throw failure(host + " requires signed artifacts, but no directory is writable for a signature file: "
                + describe(probe.places()));
    }

    private static String runtimeDir(String host, HostProbe probe, Runtime runtime, boolean cache) {
        String name = "runtime-" + runtime.sha256();
        String home = probe.home();
        if (cache && !home.isEmpty()) {
            String cacheDir = home + "/.cache/mycelium";
            boolean cacheUsable = probe.places().containsKey(cacheDir)
                    ? probe.writableExec(cacheDir)
                    : probe.places().containsKey(home + "/.cache")
                            ? probe.writableExec(home + "/.cache")
                            : probe.writableExec(home);
            if (cacheUsable) {
                return cacheDir + "/" + name;
            }
        }
        String unique =
                name + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        for (String dir : List.of("/dev/shm", probe.tmpdir(), "/tmp")) {
            if (probe.writableExec(dir)) {
                return dir + "/mycelium-" + unique;
            }
        }
        throw failure(host + " has no Java " + MIN_JAVA + "+ and no directory that is both writable and executable"
                + " for a Java runtime (about 60 MiB): " + describe(probe.places())
                + ". Install Java " + MIN_JAVA + " or newer there, or mount a tmpfs with exec (for example /dev/shm)"
                + ", or make ~/.cache writable");
    }

    private static String jarPlace(String host, HostProbe probe, JarPlacement placement) {
        switch (placement) {
            case MEMFD -> {
                if (!probe.memfd()) {
                    throw failure(host + " cannot load the agent from a memfd: it needs Linux and perl");
                }
                return "memfd";
            }
            case DEV_SHM -> {
                return writableOrFail(host, probe, "/dev/shm");
            }
            case TMPDIR -> {
                return writableOrFail(host, probe, probe.tmpdir());
            }
            case TMP -> {
                return writableOrFail(host, probe, "/tmp");
            }
            default -> {
                if (probe.memfd()) {
                    return "memfd";
                }
                if (probe.agentCached() != null) {
                    return "@cached";
                }
                for (String dir : List.of("/dev/shm", probe.tmpdir(), "/tmp", probe.home())) {
                    if (probe.writable(dir)) {
                        return dir;
                    }
                }
                throw failure(host + " has no place to put the 0.5 MiB agent jar: no memfd (needs Linux and perl)"
                        + " and no writable directory: " + describe(probe.places())
                        + ". Install perl, or give the user a writable /tmp or home");
            }
        }
    }

    private static String writableOrFail(String host, HostProbe probe, String dir) {
        if (!probe.writable(dir)) {
            throw failure(host + ": " + dir + " is not writable (" + describe(probe.places()) + ")");
        }
        return dir;
    }

    private static String describe(Map<String, HostProbe.Place> places) {
        if (places.isEmpty()) {
            return "no candidate directory exists";
        }
        StringBuilder out = new StringBuilder();
        places.forEach((dir, place) -> {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(dir)
                    .append(
                            switch (place) {
                                case WRITABLE_EXEC -> " is writable and executable";
                                case WRITABLE_NOEXEC -> " is writable but mounted noexec";
                                case READONLY -> " is read-only";
                            });
        });
        return out.toString();
    }

    private static OperationFailedException failure(String message) {
        return new OperationFailedException(ErrorCode.BOOTSTRAP_FAILED, message, null);
    }
}
