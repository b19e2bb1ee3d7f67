package io.mycelium.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mycelium repo put}: uploads a spore to a running node's content-addressed repo. */
@Command(
        name = "repo",
        description = "The spore repo of a running node.",
        mixinStandardHelpOptions = true,
        subcommands = RepoCommand.Put.class)
final class RepoCommand {

    @Command(name = "put", description = "Upload a .spore (the node verifies it) and print its digest.")
    static final class Put implements Callable<Integer> {
        @Parameters(paramLabel = "SPORE")
        Path file;

        @Option(names = "--api", paramLabel = "URL", description = "The node's admin API; default ${DEFAULT-VALUE}.")
        String api = AdminApiClient.DEFAULT_API;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(file)) {
                throw new java.io.FileNotFoundException("no such file: " + file);
            }
            JsonNode answer = new AdminApiClient(api)
                    .send(
                            "POST",
                            "/api/v1/spores",
                            HttpRequest.BodyPublishers.ofFile(file),
                            "application/octet-stream");
            System.out.println(answer.path("digest").asText());
            return 0;
        }
    }
}
