package io.mycelium.exec.policy;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A command pattern of a policy: a glob over the command line, its words joined by single spaces. {@code *} matches
 * any run of characters (spaces included), {@code ?} one character; everything else is literal. {@code "uname"}
 * matches {@code uname} with no arguments, {@code "systemctl status *"} any status query, {@code "*"} everything.
 */
record CommandPattern(String glob, Pattern regex) {

    static CommandPattern of(String glob) {
        if (glob == null || glob.isBlank()) {
            throw new IllegalArgumentException("a command pattern must not be empty");
        }
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                re.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        re.append(Pattern.quote(literal.toString()));
        return new CommandPattern(glob, Pattern.compile(re.toString(), Pattern.DOTALL));
    }

    boolean matches(String commandLine) {
        return regex.matcher(commandLine).matches();
    }

    /** The words joined by single spaces, as patterns see them. */
    static String line(List<String> command) {
        return String.join(" ", command);
    }

    /**
     * The command line with the program reduced to its file name: deny patterns are checked against this too, so
     * that {@code /bin/rm -rf /} cannot slip past a {@code "rm *"} deny entry.
     */
    static String lineWithBareProgram(List<String> command) {
        String program = command.get(0);
        int slash = program.lastIndexOf('/');
        if (slash < 0) {
            return line(command);
        }
        String bare = program.substring(slash + 1);
        return command.size() == 1 ? bare : bare + " " + String.join(" ", command.subList(1, command.size()));
    }
}
