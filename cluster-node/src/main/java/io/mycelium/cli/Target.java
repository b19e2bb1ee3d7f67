package io.mycelium.cli;

import io.mycelium.Become;
import io.mycelium.ContainerSession;
import io.mycelium.PasswordSource;
import io.mycelium.Privilege;
import io.mycelium.Session;
import io.mycelium.SshSession;
import io.mycelium.transport.OpenSsh;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where a command runs: this machine's agent, a host reached over SSH, or a running container. */
final class Target {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    @Mixin
    Ssh ssh;

    @Mixin
    Escalation escalation;

    Session session() {
        if (choice.hostsFile != null) {
            throw new IllegalArgumentException("--hosts-file works with exec only: give --host or --local");
        }
        return escalation.apply(ssh.session(choice));
    }

    /** The sessions of the hosts in {@code --hosts-file}, each with these options and {@code --become}; null without one. */
    List<Session> hostsFileSessions() {
        if (choice.hostsFile == null) {
            return null;
        }
        return ssh.sessions(HostsFile.read(choice.hostsFile)).stream()
                .map(escalation::apply)
                .toList();
    }

    /** {@code --local}, {@code --host}, {@code --hosts-file}, {@code --docker}, {@code --podman} or {@code --kubectl}. */
    static final class Choice {
        @Option(names = "--local", required = true, description = "Run through an agent on this machine.")
        boolean local;

        @Option(
                names = "--host",
                required = true,
                paramLabel = "USER@ADDR[:PORT]",
                description = "Run on this host over SSH; the agent is started there, nothing is installed.")
        String host;

        @Option(
                names = "--hosts-file",
                required = true,
                paramLabel = "FILE",
                description = "exec only: run on every host in FILE, one USER@ADDR[:PORT] a line (# comments, blank"
                        + " lines), --parallel at a time; each output line is prefixed by its host.")
        Path hostsFile;

        @Option(
                names = "--docker",
                required = true,
                paramLabel = "CONTAINER",
                description = "Run inside this running container with docker exec -i (with --via: the last hop's"
                        + " docker); Java is shipped if the image has none.")
        String docker;

        @Option(
                names = "--podman",
                required = true,
                paramLabel = "CONTAINER",
                description = "Run inside this running container with podman exec -i (with --via: the last hop's).")
        String podman;

        @Option(
                names = "--kubectl",
                required = true,
                paramLabel = "POD",
                description = "Run inside this pod with kubectl exec -i POD -- (with --via: the last hop's kubectl);"
                        + " see --namespace, --pod-container.")
        String kubectl;

        /** The container session named, without its options; null for --local and --host. */
        ContainerSession container() {
            if (docker != null) {
                return Session.docker(docker);
            }
            if (podman != null) {
                return Session.podman(podman);
            }
            return kubectl == null ? null : Session.kubectl(kubectl);
        }
    }

    /** How to reach a {@code --host}: the options of every command that can run on one. */
    static final class Ssh {
        @Option(
                names = {"-i", "--identity"},
                paramLabel = "KEYFILE",
                description = "With --host: log in with this private key only.")
        Path identity;

        @Option(
                names = "--known-hosts",
                paramLabel = "FILE",
                description = "With --host: check host keys against this file instead of ~/.ssh/known_hosts.")
        Path knownHosts;

        @Option(
                names = "--accept-new-host-key",
                description = "With --host: trust a host seen for the first time (a changed key is still refused).")
        boolean acceptNew;

        @Option(
                names = "--transport",
                paramLabel = "CLIENT",
                defaultValue = "openssh",
                description = "With --host: the SSH client, openssh (the ssh program, honours ~/.ssh/config; the"
                        + " default) or mina (Apache MINA SSHD inside this JVM).")
        SshSession.Client transport;

        @Option(
                names = "--jump",
                paramLabel = "USER@HOST[:PORT]",
                description = "With --host: reach the host through this jump host (repeatable, first hop first; as"
                        + " ssh -J). -i, --known-hosts and --accept-new-host-key apply to every hop.")
        List<String> jumps = List.of();

        @Option(
                names = "--via",
                paramLabel = "USER@ADDR[:PORT]",
                description = "With --host: start the agent on this host first and let it connect to the next hop"
                        + " and finally to --host with its own ssh client (repeatable, first hop first); this machine"
                        + " holds one connection, to the first hop. -i and --known-hosts are sent along (the key"
                        + " stays on a hop only until its ssh logged in); --jump and --transport apply to the first"
                        + " hop.")
        List<String> vias = List.of();

        @Option(
                names = "--ssh-option",
                paramLabel = "KEY=VALUE",
                description = "With --host: pass -o KEY=VALUE to the ssh client that connects to --host (repeatable;"
                        + " with --via, the last hop's ssh, e.g. BindAddress=ADDR).")
        List<String> sshOptions = List.of();

        @Option(
                names = "--container-user",
                paramLabel = "USER",
                description = "With --docker or --podman: the user to run as inside the container (exec -u).")
        String containerUser;

        @Option(
                names = "--namespace",
                paramLabel = "NAMESPACE",
                description = "With --kubectl: the pod's namespace (kubectl -n).")
        String namespace;

        @Option(
                names = "--pod-container",
                paramLabel = "CONTAINER",
                description = "With --kubectl: the container in the pod (kubectl -c).")
        String podContainer;

        @Option(
                names = "--exec-binary",
                paramLabel = "PROGRAM",
                description = "With --docker, --podman or --kubectl: the program to run instead of docker, podman or"
                        + " kubectl (a path, or a wrapper that adds --context or --kubeconfig).")
        String execBinary;

        /** The session {@code choice} names, with these options. */
        Session session(Choice choice) {
            ContainerSession container = choice.container();
            if (container == null
                    && (containerUser != null || namespace != null || podContainer != null || execBinary != null)) {
                throw new IllegalArgumentException("--container-user, --namespace, --pod-container and --exec-binary"
                        + " need --docker, --podman or --kubectl");
            }
            if (choice.host == null && container == null) {
                if (!vias.isEmpty()) {
                    throw new IllegalArgumentException(
                            "--via needs --host or a container: the target to reach through the hops");
                }
                return Session.local();
            }
            if (container != null) {
                if (!sshOptions.isEmpty()) {
                    throw new IllegalArgumentException("--ssh-option applies to --host; a container is reached with"
                            + " its engine's exec (use ~/.ssh/config for the --via hops)");
                }
                Session parent = null;
                for (String hop : vias) {
                    parent = hop(hop, parent).build();
                }
                return container(container, parent);
            }
            return sessions(List.of(choice.host)).get(0);
        }

        /** The sessions of {@code hosts}, with these options; all share the one chain of {@code --via} hops. */
        List<Session> sessions(List<String> hosts) {
            for (String option : sshOptions) {
                if (!option.matches("[A-Za-z]+=.*")) {
                    throw new IllegalArgumentException("--ssh-option needs KEY=VALUE, got: " + option);
                }
            }
            Session parent = null;
            for (String hop : vias) {
                parent = hop(hop, parent).build();
            }
            List<Session> sessions = new ArrayList<>();
            for (String host : hosts) {
                SshSession ssh = hop(host, parent);
                for (String option : sshOptions) {
                    ssh = ssh.option(option);
                }
                sessions.add(ssh.build());
            }
            return sessions;
        }

        /** The container, with its options, reached from this machine or from {@code parent}'s host. */
        private Session container(ContainerSession container, Session parent) {
            if (containerUser != null) {
                container = container.user(containerUser);
            }
            if (namespace != null) {
                container = container.namespace(namespace);
            }
            if (podContainer != null) {
                container = container.container(podContainer);
            }
            if (execBinary != null) {
                container = container.binary(execBinary);
            }
            return parent == null ? container.build() : container.via(parent).build();
        }

        /** One SSH hop: reached from this machine when {@code parent} is null, else from {@code parent}'s host. */
        private SshSession hop(String address, Session parent) {
            SshSession ssh = Session.ssh(address);
            if (identity != null) {
                ssh = ssh.identity(identity);
            }
            if (knownHosts != null) {
                ssh = ssh.knownHosts(knownHosts);
            }
            if (acceptNew) {
                ssh = ssh.hostKeyPolicy(OpenSsh.HostKeyPolicy.ACCEPT_NEW);
            }
            if (parent != null) {
                return ssh.via(parent);
            }
            for (String jump : jumps) {
                ssh = ssh.jump(jump);
            }
            return ssh.transport(transport);
        }
    }

    /** {@code --become}: run as another user on the target host, started there with sudo, su or doas. */
    static final class Escalation {
        @Option(
                names = "--become",
                paramLabel = "TOOL[:USER]",
                description = "Run as USER (default root) on the target: its agent starts another agent with TOOL,"
                        + " one of sudo, su, doas, on a pseudo-terminal (util-linux script must be on the host),"
                        + " answering the password prompt from --become-password-env. Combines with --via.")
        String become;

        @Option(
                names = "--become-password-env",
                paramLabel = "VAR",
                description = "With --become: the password to answer the tool's prompt with is in this environment"
                        + " variable (sudo and doas: the login user's; su: the target user's). Never on the command"
                        + " line.")
        String passwordEnv;

        /** {@code session}, or the session of its host's agent as the user {@code --become} names. */
        Session apply(Session session) {
            if (become == null) {
                if (passwordEnv != null) {
                    throw new IllegalArgumentException("--become-password-env needs --become");
                }
                return session;
            }
            int colon = become.indexOf(':');
            String tool = colon < 0 ? become : become.substring(0, colon);
            String user = colon < 0 ? "root" : become.substring(colon + 1);
            Privilege privilege = switch (tool.toLowerCase(Locale.ROOT)) {
                case "sudo" -> Privilege.SUDO;
                case "su" -> Privilege.SU;
                case "doas" -> Privilege.DOAS;
                default ->
                    throw new IllegalArgumentException(
                            "--become needs sudo, su or doas, optionally :USER (e.g. sudo:root), got: " + become);
            };
            Become how = Become.as(privilege, user);
            if (passwordEnv != null) {
                if (System.getenv(passwordEnv) == null) {
                    throw new IllegalArgumentException("--become-password-env " + passwordEnv
                            + ": the environment variable " + passwordEnv + " is not set");
                }
                how = how.password(PasswordSource.fromEnvironment(passwordEnv));
            }
            return session.become(how);
        }
    }
}
