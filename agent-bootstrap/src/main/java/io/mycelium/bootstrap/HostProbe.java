package io.mycelium.bootstrap;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What stage 1 found on a host: platform, Java, perl, memfd, the places it may write to, and what is cached.
 *
 * @param os {@code uname -s}, e.g. Linux or Darwin
 * @param arch {@code uname -m}, e.g. x86_64 or aarch64
 * @param java path of the Java found (JAVA_HOME, then PATH), or null
 * @param javaVersion its version string, e.g. 17.0.9, or null
 * @param perl path of perl, or null
 * @param memfd whether perl could create a memfd
 * @param places directories stage 1 looked at, in its order of preference, with what it may do there
 * @param agentCached path of a cached agent jar with the expected sha256, or null
 * @param runtimeCached path of a cached Java runtime with the expected sha256, or null
 * @param home the login user's home directory, or empty
 * @param tmpdir {@code $TMPDIR}, or /tmp
 * @param trust the host's allowed_signers file when it accepts only signed artifacts, or null
 * @param sshsig whether ssh-keygen can check signatures there
 * @param banner what the host printed before stage 1 started (a login banner, motd), possibly empty
 */
public record HostProbe(
        String os,
        String arch,
        String java,
        String javaVersion,
        String perl,
        boolean memfd,
        Map<String, Place> places,
        String agentCached,
        String runtimeCached,
        String home,
        String tmpdir,
        String trust,
        boolean sshsig,
        String banner) {

    /** What stage 1 may do in a directory. */
    public enum Place {
        WRITABLE_EXEC,
        WRITABLE_NOEXEC,
        READONLY
    }

    /** Builds a probe from the report lines stage 1 printed between its start and end markers. */
    public static HostProbe parse(List<String> lines, String banner) {
        String os = null;
        String arch = null;
        String java = null;
        String javaVersion = null;
        String perl = null;
        boolean memfd = false;
        String agentCached = null;
        String runtimeCached = null;
        String home = "";
        String tmpdir = "/tmp";
        String trust = null;
        boolean sshsig = false;
        Map<String, Place> places = new LinkedHashMap<>();
        for (String line : lines) {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            switch (key) {
                case "uname" -> {
                    String[] parts = value.trim().split("\\s+");
                    os = parts.length > 0 ? parts[0] : null;
                    arch = parts.length > 1 ? parts[1] : null;
                }
                case "java" -> java = value;
                case "java_version" -> javaVersion = value.isBlank() ? null : value;
                case "perl" -> perl = value;
                case "memfd" -> memfd = value.equals("yes");
                case "agent_cached" -> agentCached = value;
                case "runtime_cached" -> runtimeCached = value;
                case "home" -> home = value;
                case "tmpdir" -> tmpdir = value;
                case "trust" -> trust = value;
                case "sshsig" -> sshsig = value.equals("yes");
                case "place" -> {
                    int space = value.lastIndexOf(' ');
                    if (space > 0) {
                        String what = value.substring(space + 1);
                        Place place = what.equals("writable,exec")
                                ? Place.WRITABLE_EXEC
                                : what.equals("writable,noexec") ? Place.WRITABLE_NOEXEC : Place.READONLY;
                        places.putIfAbsent(value.substring(0, space), place);
                    }
                }
                default -> {
                    // Newer stage-1 scripts may report more; an older controller ignores it.
                }
            }
        }
        return new HostProbe(
                os,
                arch,
                java,
                javaVersion,
                perl,
                memfd,
                places,
                agentCached,
                runtimeCached,
                home,
                tmpdir,
                trust,
                sshsig,
                banner);
    }

    /** The feature version of the host's Java (17 for "17.0.9", 8 for "1.8.0_392"), or 0 when there is none. */
    public int javaFeature() {
        if (javaVersion == null) {
            return 0;
        }
        String[] parts = javaVersion.split("[._+-]");
        try {
            int first = Integer.parseInt(parts[0]);
            return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Whether stage 1 may create and run files in {@code dir}. */
    public boolean writableExec(String dir) {
        return places.get(dir) == Place.WRITABLE_EXEC;
    }

    /** Whether stage 1 may create files in {@code dir}. */
    public boolean writable(String dir) {
        Place p = places.get(dir);
        return p == Place.WRITABLE_EXEC || p == Place.WRITABLE_NOEXEC;
    }

    /** {@code os arch}, as a platform name for messages, e.g. {@code Linux x86_64}. */
    public String platform() {
        return os + " " + arch;
    }
}
