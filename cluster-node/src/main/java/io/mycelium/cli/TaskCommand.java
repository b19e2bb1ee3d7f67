package io.mycelium.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mycelium task}: the task queue of a running node (submit, status, list, cancel, redrive). */
@Command(
        name = "task",
        description = "Submit tasks to a node's queue and follow them.",
        mixinStandardHelpOptions = true,
        subcommands = {
            TaskCommand.Submit.class,
            TaskCommand.Status.class,
            TaskCommand.ListTasks.class,
            TaskCommand.Cancel.class,
            TaskCommand.Redrive.class
        })
final class TaskCommand {

    /** Where the node is, and how to authenticate to it. */
    static final class NodeOptions {
        @Option(
                names = "--node",
                paramLabel = "URL",
                description = "The node's admin API (default: $MYCELIUM_NODE, else http://127.0.0.1:8558).")
        String node;

        @Option(
                names = "--token-env",
                paramLabel = "VAR",
                description = "The environment variable holding a bearer token (default: MYCELIUM_TOKEN).")
        String tokenEnv = "MYCELIUM_TOKEN";

        NodeClient client() {
            String url = node != null ? node : System.getenv().getOrDefault("MYCELIUM_NODE", "http://127.0.0.1:8558");
            return new NodeClient(url, System.getenv(tokenEnv));
        }
    }

    static void print(JsonNode json) throws Exception {
        System.out.println(NodeClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    @Command(
            name = "submit",
            description = "Submit a task; print its id as the last line.",
            mixinStandardHelpOptions = true)
    static final class Submit implements Callable<Integer> {
        @Mixin
        NodeOptions node;

        @Option(names = "--target", paramLabel = "HOST", description = "The registered host to run on.")
        String target;

        @Option(
                names = "--capability",
                paramLabel = "NAME",
                description = "Run on a worker agent that advertises NAME (instead of --target).")
        String capability;

        @Option(names = "--max-attempts", paramLabel = "N", description = "Attempts before the dead-letter queue.")
        Integer maxAttempts;

        @Option(names = "--deadline", paramLabel = "DURATION", description = "Overall deadline, e.g. 10m.")
        String deadline;

        @Option(names = "--timeout", paramLabel = "DURATION", description = "Timeout of one attempt, e.g. 30s.")
        String timeout;

        @Option(names = "--idempotency-key", paramLabel = "KEY", description = "Submit at most once per key.")
        String idempotencyKey;

        @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
        List<String> command;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = NodeClient.JSON.createObjectNode();
            if (target != null) {
                body.put("target", target);
            }
            if (capability != null) {
                body.put("capability", capability);
            }
            command.forEach(body.putArray("command")::add);
            if (maxAttempts != null) {
                body.put("maxAttempts", maxAttempts);
            }
            if (deadline != null) {
                body.put("deadline", deadline);
            }
            if (timeout != null) {
                body.put("timeout", timeout);
            }
            if (idempotencyKey != null) {
                body.put("idempotencyKey", idempotencyKey);
            }
            JsonNode reply = node.client().post("/api/v1/tasks", body);
            if (!reply.path("created").asBoolean()) {
                System.err.println("mycelium: the idempotency key already stands for this task");
            }
            System.out.println(reply.path("id").asText());
            return 0;
        }
    }

    @Command(
            name = "status",
            description = "Print a task as JSON: its state, output and history.",
            mixinStandardHelpOptions = true)
    static final class Status implements Callable<Integer> {
        @Mixin
        NodeOptions node;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            print(node.client().get("/api/v1/tasks/" + NodeClient.encode(id)));
            return 0;
        }
    }

    @Command(name = "list", description = "List tasks as JSON, oldest first.", mixinStandardHelpOptions = true)
    static final class ListTasks implements Callable<Integer> {
        @Mixin
        NodeOptions node;

        @Option(names = "--state", paramLabel = "S", description = "Only tasks in these states, comma-separated.")
        String state;

        @Option(names = "--limit", paramLabel = "N", description = "At most this many (default 1000).")
        Integer limit;

        @Override
        public Integer call() throws Exception {
            StringBuilder query = new StringBuilder();
            if (state != null) {
                query.append("state=").append(NodeClient.encode(state));
            }
            if (limit != null) {
                query.append(query.isEmpty() ? "" : "&").append("limit=").append(limit);
            }
            print(node.client().get("/api/v1/tasks" + (query.isEmpty() ? "" : "?" + query)));
            return 0;
        }
    }

    @Command(name = "cancel", description = "Cancel a task.", mixinStandardHelpOptions = true)
    static final class Cancel implements Callable<Integer> {
        @Mixin
        NodeOptions node;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            print(node.client().post("/api/v1/tasks/" + NodeClient.encode(id) + "/cancel", null));
            return 0;
        }
    }

    @Command(
            name = "redrive",
            description = "Take a task out of the dead-letter queue for a new round of attempts.",
            mixinStandardHelpOptions = true)
    static final class Redrive implements Callable<Integer> {
        @Mixin
        NodeOptions node;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            print(node.client().post("/api/v1/deadletter/" + NodeClient.encode(id) + "/redrive", null));
            return 0;
        }
    }
}
