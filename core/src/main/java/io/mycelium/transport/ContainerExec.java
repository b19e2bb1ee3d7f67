package io.mycelium.transport;

import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.OperationFailedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A running container as a transport: {@code docker exec -i}, {@code podman exec -i} or {@code kubectl exec -i} runs
 * stage 1 with the container's {@code /bin/sh}, and the agent then speaks over the exec's stdin and stdout, exactly as
 * over {@code ssh -T}. No TTY is allocated ({@code -i} only), so the pipes carry bytes unchanged.
 */
public final class ContainerExec {
    /** The program that runs a command in the container. */
    public enum Engine {
        /** {@code docker exec -i [-u USER] CONTAINER /bin/sh -c ...}. */
        DOCKER("docker"),
        /** {@code podman exec -i [-u USER] CONTAINER /bin/sh -c ...}: Docker's arguments. */
        PODMAN("podman"),
        /** {@code kubectl exec -i [-n NAMESPACE] [-c CONTAINER] POD -- /bin/sh -c ...}. */
        KUBECTL("kubectl");

        private final String program;

        Engine(String program) {
            this.program = program;
        }

        /** The program's usual name, the binary unless another one is set. */
        public String program() {
            return program;
        }
    }

    /**
     * Which container, and how to reach it.
     *
     * @param engine the exec program's kind
     * @param binary the program to run (a name looked up in PATH, or a path); null for the engine's usual name
     * @param container the container's name or id; for kubectl the pod
     * @param user the user to run as inside the container (docker and podman {@code -u}), or null for the image's
     * @param namespace kubectl's namespace ({@code -n}), or null for the current one
     * @param podContainer kubectl's container in the pod ({@code -c}), or null for the pod's default
     */
    public record Target(
            Engine engine, String binary, String container, String user, String namespace, String podContainer) {
        /** Validates: names must not be empty or look like options. */
        public Target {
            if (engine == null) {
                throw new IllegalArgumentException("a container target needs an engine");
            }
            checkName("container", container, true);
            checkName("user", user, false);
            checkName("namespace", namespace, false);
            checkName("pod container", podContainer, false);
            if (binary != null && binary.isBlank()) {
                throw new IllegalArgumentException("invalid " + engine.program() + " binary: empty");
            }
            if (engine == Engine.KUBECTL && user != null) {
                throw new IllegalArgumentException("kubectl exec cannot choose a user: build the pod to run as it");
            }
            if (engine != Engine.KUBECTL && (namespace != null || podContainer != null)) {
                throw new IllegalArgumentException(
                        "a namespace and a pod container are kubectl's, not " + engine.program() + "'s");
            }
        }

        private static void checkName(String what, String value, boolean required) {
            if (value == null) {
                if (required) {
                    throw new IllegalArgumentException("a container target needs a " + what);
                }
                return;
            }
            if (value.isBlank() || value.startsWith("-") || value.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("invalid " + what + ": '" + value + "'");
            }
        }

        /** The program to run. */
        public String program() {
            return binary == null ? engine.program() : binary;
        }

        /** {@code docker://web}, {@code kubectl://ns/pod/container}: with what is set. */
        public String describe() {
            StringBuilder s = new StringBuilder(engine.program()).append("://");
            if (user != null) {
                s.append(user).append('@');
            }
            if (namespace != null) {
                s.append(namespace).append('/');
            }
            s.append(container);
            if (podContainer != null) {
                s.append('/').append(podContainer);
            }
            return s.toString();
        }
    }

    private ContainerExec() {}

    /** The transport for {@code target}, with the exec program run on this machine. */
    public static CommandTransport transport(Target target, CommandTransport.Options options) {
        return new CommandTransport(
                target.describe(),
                target.describe(),
                command(target),
                options,
                (host, exit, stderr) -> classify(target, host, exit, stderr));
    }

    /**
     * The transport for {@code target} with the exec program run on a parent agent's host: the container runs there.
     *
     * @param parentDescription the parent transport's {@link Transport#describe()}
     * @param parentKey the parent transport's {@link Transport#poolKey()}
     */
    public static ViaTransport via(
            Target target, CommandTransport.Options options, String parentDescription, String parentKey) {
        return new ViaTransport(
                target.describe() + " via " + parentDescription,
                target.describe(),
                parentKey,
                command(target),
                null,
                null,
                options,
                (host, exit, stderr) -> classify(target, host, exit, stderr));
    }

    /** The exec command up to the shell's script, which the transport appends. */
    static List<String> command(Target target) {
        List<String> command = new ArrayList<>(List.of(target.program(), "exec", "-i"));
        if (target.engine() == Engine.KUBECTL) {
            if (target.namespace() != null) {
                command.addAll(List.of("-n", target.namespace()));
            }
            if (target.podContainer() != null) {
                command.addAll(List.of("-c", target.podContainer()));
            }
            command.addAll(List.of(target.container(), "--"));
        } else {
            if (target.user() != null) {
                command.addAll(List.of("-u", target.user()));
            }
            command.add(target.container());
        }
        command.addAll(List.of("/bin/sh", "-c"));
        return command;
    }

    /** Reads the exec program's exit code and stderr, and says what to do. */
    static OperationFailedException classify(Target target, String host, int exit, String stderr) {
        String text = stderr.strip();
        String lower = text.toLowerCase(Locale.ROOT);
        String program = target.program();
        String said = text.isEmpty()
                ? program + " exited with status " + exit
                : text.lines().reduce((a, b) -> b).orElse(text);
        ErrorCode code;
        String advice;
        if (lower.contains("cannot run program") || (exit == 127 && !lower.contains("/bin/sh"))) {
            code = ErrorCode.BOOTSTRAP_FAILED;
            advice = "the " + program + " program was not found: install it, or name its path"
                    + (target.engine() == Engine.KUBECTL ? " (kubectl binary)" : " (container binary)");
        } else if (lower.contains("no such container")
                || lower.contains("no container with name or id")
                || (lower.contains("notfound") || lower.contains(" not found"))
                        && (lower.contains("pod") || lower.contains("container"))) {
            code = ErrorCode.UNKNOWN_HOST;
            advice = "no container " + target.container() + " exists: check the name (" + program
                    + (target.engine() == Engine.KUBECTL ? " get pods)" : " ps -a)");
        } else if (lower.contains("is not running")
                || lower.contains("is paused")
                || lower.contains("state improper")) {
            code = ErrorCode.CONNECTION_REFUSED;
            advice = "the container " + target.container() + " is not running: start it first";
        } else if ((lower.contains("permission denied") && !lower.contains("/bin/sh")) || lower.contains("forbidden")) {
            code = ErrorCode.PERMISSION_DENIED;
            advice = "this user may not use " + program
                    + (target.engine() == Engine.KUBECTL
                            ? ": check the RBAC rules for pods/exec"
                            : ": join the docker group or use a rootless engine");
        } else if (lower.contains("cannot connect to the docker daemon")
                || lower.contains("cannot connect to podman")
                || lower.contains("connection refused")
                || lower.contains("unable to connect to the server")) {
            code = ErrorCode.CONNECTION_REFUSED;
            advice = "the " + program + " engine (daemon or API server) is not reachable: check that it runs";
        } else if (lower.contains("/bin/sh") || exit == 126 || exit == 127) {
            code = ErrorCode.BOOTSTRAP_FAILED;
            advice = "the container lacks a tool stage 1 needs (/bin/sh, base64, head, sha256sum or shasum, tar)";
        } else {
            code = ErrorCode.BOOTSTRAP_FAILED;
            advice = "see " + program + "'s message";
        }
        return new OperationFailedException(code, host + ": " + said + " (" + advice + ")", null);
    }
}
