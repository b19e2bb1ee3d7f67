package io.mycelium.transport;

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
     * @param extraOptions more {@code -o Key=Value} options, passed as they are
     */
    public record Target(
            String host,
            String user,
            int port,
            Path identity,
            Path knownHosts,
            HostKeyPolicy hostKeyPolicy,
            Duration connectTimeout,
            List<String> extraOptions) {
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
        }

        /** {@code ssh://user@host:port}, with what is set. */
        public String describe() {
            return "ssh://" + (user == null ? "" : user + "@") + host + (port == 0 ? "" : ":" + port);
        }
    }

    private OpenSsh() {}

    /** The transport for {@code target}. */
    public static CommandTransport transport(Target target, CommandTransport.Options options) {
        return new CommandTransport(target.describe(), target.describe(), command(target), options, OpenSsh::classify);
    }

    static List<String> command(Target target) {
        List<String> command = new ArrayList<>(List.of(
                "ssh",
                "-T",
                "-e",
                "none",
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
            command.addAll(
                    List.of("-o", "UserKnownHostsFile=" + target.knownHosts(), "-o", "GlobalKnownHostsFile=/dev/null"));
        }
        if (target.identity() != null) {
            command.addAll(List.of("-i", target.identity().toString(), "-o", "IdentitiesOnly=yes"));
        }
        if (target.port() != 0) {
            command.addAll(List.of("-p", Integer.toString(target.port())));
        }
        if (target.user() != null) {
            command.addAll(List.of("-l", target.user()));
        }
        for (String option : target.extraOptions()) {
            command.addAll(List.of("-o", option));
        }
        command.add(target.host());
        command.add("--");
        return command;
    }

    /** Reads ssh's exit code and stderr the way a person would, and says what to do. */
    static OperationFailedException classify(String host, int exit, String stderr) {
        String text = stderr.strip();
        String lower = text.toLowerCase(Locale.ROOT);
        ErrorCode code;
        String advice;
        if (lower.contains("could not resolve hostname") || lower.contains("name or service not known")) {
            code = ErrorCode.UNKNOWN_HOST;
            advice = "check the host name, or add it to ~/.ssh/config or /etc/hosts";
        } else if (lower.contains("connection refused")
                || lower.contains("no route to host")
                || lower.contains("connection timed out")
                || lower.contains("network is unreachable")) {
            code = ErrorCode.CONNECTION_REFUSED;
            advice = "check that sshd runs on the host and the port is right";
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
            advice = "the host lacks a tool stage 1 needs (/bin/sh, head, sha256sum or shasum, tar)";
        } else {
            code = exit == 255 ? ErrorCode.CONNECTION_REFUSED : ErrorCode.BOOTSTRAP_FAILED;
            advice = "see ssh's message above";
        }
        String said = text.isEmpty()
                ? "ssh exited with status " + exit
                : text.lines().reduce((a, b) -> b).orElse(text);
        return new OperationFailedException(code, host + ": " + said + " (" + advice + ")", null);
    }
}
