package io.mycelium.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mycelium plan publish}: tells the cluster which spore an app runs. */
@Command(
        name = "plan",
        description = "The plans of a running cluster: which spore each app runs.",
        mixinStandardHelpOptions = true,
        subcommands = PlanCommand.Publish.class)
final class PlanCommand {

    @Command(
            name = "publish",
            description = {
                "Publish a plan: node agents start the spore (already uploaded with `repo put`) and, when the app ran",
                "another digest, replace it blue/green. Prints the plan."
            })
    static final class Publish implements Callable<Integer> {
        @Option(names = "--app", required = true, paramLabel = "APP", description = "The app, the edge's /APP/ prefix.")
        String app;

        @Option(names = "--digest", required = true, paramLabel = "SHA256", description = "The spore (repo put).")
        String digest;

        @Option(names = "--min", paramLabel = "N", description = "Instances per node agent, at least; default 1.")
        int min = 1;

        @Option(names = "--max", paramLabel = "N", description = "Instances per node agent, at most; default --min.")
        Integer max;

        @Option(names = "--port", paramLabel = "PORT", description = "A fixed port; default 0, a free one.")
        int port;

        @Option(names = "--api", paramLabel = "URL", description = "The node's admin API; default ${DEFAULT-VALUE}.")
        String api = AdminApiClient.DEFAULT_API;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("digest", digest);
            body.put("min", min);
            body.put("max", max == null ? Math.max(1, min) : max);
            body.put("port", port);
            JsonNode fact = new AdminApiClient(api).sendJson("PUT", "/api/v1/plans/" + app, body);
            JsonNode plan = fact.path("plan");
            System.out.println("published " + plan.path("app").asText() + " "
                    + plan.path("digest").asText() + " (min " + plan.path("min").asInt() + ", max "
                    + plan.path("max").asInt() + ")");
            return 0;
        }
    }
}
