package io.mycelium.exec.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Drops environment variables that change what a program loads or runs before its own code: the dynamic loader's
 * ({@code LD_*}, {@code DYLD_*}), shells' start-up files ({@code BASH_ENV}, {@code ENV}), shell functions exported
 * to bash ({@code BASH_FUNC_*}) and interpreters' injection hooks. A policy may let named ones through.
 */
final class EnvironmentSanitiser {
    private static final Set<String> DANGEROUS = Set.of(
            "BASH_ENV",
            "ENV",
            "SHELLOPTS",
            "BASHOPTS",
            "PS4",
            "IFS",
            "PROMPT_COMMAND",
            "PERL5OPT",
            "PERL5LIB",
            "PERLLIB",
            "PYTHONSTARTUP",
            "PYTHONPATH",
            "PYTHONHOME",
            "RUBYOPT",
            "RUBYLIB",
            "NODE_OPTIONS",
            "JAVA_TOOL_OPTIONS",
            "_JAVA_OPTIONS",
            "JDK_JAVA_OPTIONS",
            "GCONV_PATH",
            "HOSTALIASES",
            "LOCALDOMAIN",
            "RES_OPTIONS");

    private EnvironmentSanitiser() {}

    /** The environment that may be passed, and the names dropped from it. */
    record Result(Map<String, String> kept, List<String> dropped) {}

    static Result sanitise(Map<String, String> environment, List<String> allowed) {
        Map<String, String> kept = new LinkedHashMap<>();
        List<String> dropped = new ArrayList<>();
        environment.forEach((name, value) -> {
            if (isDangerous(name) && !allowed.contains(name)) {
                dropped.add(name);
            } else {
                kept.put(name, value);
            }
        });
        return new Result(kept, dropped);
    }

    static boolean isDangerous(String name) {
        return name.startsWith("LD_")
                || name.startsWith("DYLD_")
                || name.startsWith("BASH_FUNC_")
                || DANGEROUS.contains(name);
    }
}
