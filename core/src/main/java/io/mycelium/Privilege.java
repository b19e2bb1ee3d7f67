package io.mycelium;

/** The tool that starts an agent as another user on the same host ({@link Become}). */
public enum Privilege {
    /** {@code sudo -H -u USER}: the caller's own password, unless the sudoers rule says {@code NOPASSWD}. */
    SUDO("sudo"),
    /** {@code su USER -c}: the target user's password (root's, for root), unless the caller is root. */
    SU("su"),
    /** {@code doas -u USER} (OpenBSD's, or Debian's OpenDoas): the caller's password, unless the rule says nopass. */
    DOAS("doas");

    private final String program;

    Privilege(String program) {
        this.program = program;
    }

    /** The program's name, as it appears in messages and in the CLI's {@code --become}. */
    public String program() {
        return program;
    }
}
