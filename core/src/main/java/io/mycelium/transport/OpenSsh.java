package io.mycelium.transport;

import io.mycelium.bootstrap.Stage1;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.OperationFailedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The OpenSSH client as a transport: {@code ssh -T} in batch mode, so the user's {@code ~/.ssh/config} (ProxyJump,
 * IdentityFile, User, Port, ControlMaster) applies as it does for their own ssh sessions, and a password prompt can
 * never hang a connection.
 */
public final class OpenSsh {
    /** How unknown host keys are treated. */
    public enum HostKeyPolicy {
        /** Only hosts already in known_hosts: the default. */
        STRICT,
        /** Unknown hosts are added on first use; a changed key is still refused. */
        ACCEPT_NEW
    }

    /**
     * Where and how to connect.
     *
     * @param host host name or address, as ssh would take it (an alias from ~/.ssh/config works)
     * @param user login user, or null for ssh's default (config, then the local user)
     * @param port port, or 0 for ssh's default
     * @param identity private key file, or null for ssh's default (config, agent)
     * @param knownHosts known_hosts file to use instead of the user's, or null
     * @param hostKeyPolicy how unknown host keys are treated
     * @param connectTimeout how long the TCP connection and SSH handshake may take
     * @param extraOptions more {@code -o Key=Value} options, passed as they are (OpenSSH only; the destination only)
     * @param jumps the hosts to pass through, first hop first ({@code ssh -J a,b}); the identity, known_hosts file and
     *     host key policy apply to every hop
     */
    public record Target(
            String host,
            String user,
            int port,
            Path identity,
            Path knownHosts,
            HostKeyPolicy hostKeyPolicy,
            Duration connectTimeout,
            List<String> extraOptions,
            List<Address> jumps) {
        /** Validates and copies. */
        public Target {
            if (host == null || host.isBlank() || host.startsWith("-")) {
                throw new IllegalArgumentException("invalid host: " + host);
            }
            if (user != null && (user.isBlank() || user.startsWith("-"))) {
                throw new IllegalArgumentException("invalid user: " + user);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("invalid port: " + port);
            }
            extraOptions = List.copyOf(extraOptions);
            jumps = List.copyOf(jumps);
        }

        /** {@code ssh://user@host:port}, with what is set. */
        public String describe() {
            return "ssh://" + (user == null ? "" : user + "@") + host + (port == 0 ? "" : ":" + port);
        }
    }

    /**
     * An SSH address, {@code [user@]host[:port]}: a target, or a host to pass through on the way to one (OpenSSH's
     * ProxyJump), whose sshd forwards the connection.
     *
     * @param host host name or address
     * @param user login user, or null for the local user name
     * @param port port, or 0 for 22
     */
    public record Address(String host, String user, int port) {
        /** Validates. */
        public Address {
            if (host == null || host.isBlank() || host.startsWith("-") || host.contains(",")) {
                throw new IllegalArgumentException("invalid jump host: " + host);
            }
            if (user != null && (user.isBlank() || user.startsWith("-") || user.contains(","))) {
                throw new IllegalArgumentException("invalid jump host user: " + user);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("invalid port: " + port);
            }
        }

        /**
         * Parses {@code [user@]host[:port]}.
         *
         * @throws IllegalArgumentException when {@code spec} is not of that form
         */
        public static Address parse(String spec) {
            String rest = spec == null ? "" : spec.strip();
            String user = null;
            int at = rest.lastIndexOf('@');
            if (at >= 0) {
                user = rest.substring(0, at);
                rest = rest.substring(at + 1);
            }
            int port = 0;
            int colon = rest.lastIndexOf(':');
            if (colon >= 0 && rest.indexOf(':') == colon) {
                try {
                    port = Integer.parseInt(rest.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("invalid port in " + spec + ": use [user@]host[:port]");
                }
                rest = rest.substring(0, colon);
            }
            if (rest.isEmpty() || (user != null && user.isEmpty())) {
                throw new IllegalArgumentException("invalid jump host " + spec + ": use [user@]host[:port]");
            }
            return new Address(rest, user, port);
        }

        /** {@code user@host:port}, with what is set: the form of {@code ssh -J}. */
        @Override
        public String toString() {
            return (user == null ? "" : user + "@") + host + (port == 0 ? "" : ":" + port);
        }
    }

    private OpenSsh() {}

    /** The transport for {@code target}. */
    public static CommandTransport transport(Target target, CommandTransport.Options options) {
        return new CommandTransport(target.describe(), target.describe(), command(target), options, OpenSsh::classify);
    }

    /**
     * The transport for {@code target} reached from a parent agent's host: the parent's agent runs this ssh command
     * there, so the connection to the target starts on the parent's host. The identity and known_hosts file, when set,
     * are files on this machine sent to the parent's agent for the command.
     *
     * @param parentDescription the parent transport's {@link Transport#describe()}
     * @param parentKey the parent transport's {@link Transport#poolKey()}
     */
    public static ViaTransport via(
            Target target, CommandTransport.Options options, String parentDescription, String parentKey) {
        Target onHop = new Target(
                target.host(),
                target.user(),
                target.port(),
                target.identity() == null ? null : Path.of(ViaTransport.IDENTITY),
                target.knownHosts() == null ? null : Path.of(ViaTransport.KNOWN_HOSTS),
                target.hostKeyPolicy(),
                target.connectTimeout(),
                target.extraOptions(),
                target.jumps());
        return new ViaTransport(
                target.describe() + " via " + parentDescription,
                target.describe(),
                parentKey,
                command(onHop),
                target.identity(),
                target.knownHosts(),
                options,
                OpenSsh::classify);
    }

    static List<String> command(Target target) {
        List<String> command = new ArrayList<>(List.of("ssh", "-T", "-e", "none"));
        command.addAll(commonOptions(target));
        if (target.port() != 0) {
            command.addAll(List.of("-p", Integer.toString(target.port())));
        }
        if (target.user() != null) {
            command.addAll(List.of("-l", target.user()));
        }
        if (!target.jumps().isEmpty()) {
            command.addAll(List.of(
                    "-o", "ProxyCommand=" + proxyCommand(target, target.jumps().size() - 1)));
        }
        for (String option : target.extraOptions()) {
            command.addAll(List.of("-o", option));
        }
        command.add(target.host());
        command.add("--");
        return command;
    }

    /** Batch mode, host key policy, timeouts, keepalive, known_hosts and identity: for the target and every hop. */
    private static List<String> commonOptions(Target target) {
        List<String> options = new ArrayList<>(List.of(
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=" + (target.hostKeyPolicy() == HostKeyPolicy.STRICT ? "yes" : "accept-new"),
                "-o",
                "ConnectTimeout=" + Math.max(1, target.connectTimeout().toSeconds()),
                "-o",
                "ServerAliveInterval=5",
                "-o",
                "ServerAliveCountMax=3",
                "-o",
                "LogLevel=ERROR"));
        if (target.knownHosts() != null) {
            options.addAll(
                    List.of("-o", "UserKnownHostsFile=" + target.knownHosts(), "-o", "GlobalKnownHostsFile=/dev/null"));
        }
        if (target.identity() != null) {
            options.addAll(List.of("-i", target.identity().toString(), "-o", "IdentitiesOnly=yes"));
        }
        return options;
    }

    /**
     * The ProxyCommand that reaches jump host {@code hop} (through the ones before it) and forwards its stdio to
     * {@code %h:%p} there: {@code ssh -J} spelled out, because the ssh that {@code -J} starts for a hop takes none of
     * the command line's options (identity, known_hosts, batch mode), only {@code ~/.ssh/config}. Every ssh in the
     * chain expands %-tokens in its ProxyCommand once, so each nesting escapes the level below once more.
     */
    static String proxyCommand(Target target, int hop) {
        Address jump = target.jumps().get(hop);
        List<String> words = new ArrayList<>(List.of("ssh"));
        words.addAll(commonOptions(target));
        if (jump.port() != 0) {
            words.addAll(List.of("-p", Integer.toString(jump.port())));
        }
        if (jump.user() != null) {
            words.addAll(List.of("-l", jump.user()));
        }
        if (hop > 0) {
            words.addAll(List.of("-o", "ProxyCommand=" + proxyCommand(target, hop - 1)));
        }
        StringBuilder command = new StringBuilder();
        for (String word : words) {
            command.append(Stage1.quote(word.replace("%", "%%"))).append(' ');
        }
        // Expanded by the ssh that runs this command: the host and port it wants to reach through this hop.
        command.append("-W '[%h]:%p' ").append(Stage1.quote(jump.host().replace("%", "%%")));
        return command.toString();
    }

    /** Reads ssh's exit code and stderr the way a person would, and says what to do. */
    static OperationFailedException classify(String host, int exit, String stderr) {
        String text = stderr.strip();
        String lower = text.toLowerCase(Locale.ROOT);
        String said = text.isEmpty()
                ? "ssh exited with status " + exit
                : text.lines().reduce((a, b) -> b).orElse(text);
        ErrorCode code;
        String advice;
        if (lower.contains("cannot run program")) {
            code = ErrorCode.BOOTSTRAP_FAILED;
            advice = "the ssh program was not found: install the OpenSSH client where it runs, or connect directly with"
                    + " the MINA client";
        } else if (lower.contains("could not resolve hostname") || lower.contains("name or service not known")) {
            code = ErrorCode.UNKNOWN_HOST;
            advice = "check the host name, or add it to ~/.ssh/config or /etc/hosts";
        } else if (lower.contains("connection refused")
                || lower.contains("no route to host")
                || lower.contains("connection timed out")
                || lower.contains("network is unreachable")) {
            code = ErrorCode.CONNECTION_REFUSED;
            advice = "check that sshd runs on the host and the port is right";
            // Through jump hosts the hop's own line says it; the last line is only the outer ssh giving up.
            said = lineWith(
                    text,
                    said,
                    "connection refused",
                    "no route to host",
                    "connection timed out",
                    "network is unreachable");
        } else if (lower.contains("remote host identification has changed")
                || lower.contains("host key verification failed")
                || lower.contains("no matching host key")) {
            code = ErrorCode.HOST_KEY_REJECTED;
            advice = lower.contains("has changed")
                    ? "the host's key differs from the one in known_hosts: verify it, then fix known_hosts"
                    : "the host's key is not in known_hosts: add it (ssh-keyscan, then verify), or allow new hosts"
                            + " with the accept-new host key policy";
        } else if (lower.contains("permission denied") || lower.contains("too many authentication failures")) {
            code = ErrorCode.AUTHENTICATION_FAILED;
            advice = "check the user and the key (-i), and that the key is in the host's authorized_keys";
        } else if (exit == 127 || lower.contains("not found")) {
            code = ErrorCode.BOOTSTRAP_FAILED;
            advice = "the host lacks a tool stage 1 needs (/bin/sh, base64, head, sha256sum or shasum, tar)";
        } else {
            code = exit == 255 ? ErrorCode.CONNECTION_REFUSED : ErrorCode.BOOTSTRAP_FAILED;
            advice = "see ssh's message above";
        }
        return new OperationFailedException(code, host + ": " + said + " (" + advice + ")", null);
    }

    /** The first line of {@code text} holding one of {@code phrases} (lower case), else {@code fallback}. */
    private static String lineWith(String text, String fallback, String... phrases) {
        return text.lines()
                .filter(line -> {
                    String lower = line.toLowerCase(Locale.ROOT);
                    for (String phrase : phrases) {
                        if (lower.contains(phrase)) {
                            return true;
                        }
                    }
                    return false;
                })
                .findFirst()
                .orElse(fallback);
    }
}
