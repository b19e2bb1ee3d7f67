package io.mycelium.exec.policy;

import java.nio.file.Path;

/** Working-directory checks, on the POSIX paths of the remote host (never resolved against this machine). */
final class WorkDirs {
    private WorkDirs() {}

    static boolean isAbsoluteAndNormal(String dir) {
        if (dir == null || !dir.startsWith("/") || dir.indexOf('\0') >= 0) {
            return false;
        }
        for (String part : dir.split("/")) {
            if (part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code dir} is {@code root} or below it, comparing whole path elements. */
    static boolean isWithin(String dir, String root) {
        return Path.of(dir).normalize().startsWith(Path.of(root).normalize());
    }
}
