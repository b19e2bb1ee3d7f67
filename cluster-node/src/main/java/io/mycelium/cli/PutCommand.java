package io.mycelium.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;

/** {@code mycelium put}: copies a local file or tree to the target. */
@Command(
        name = "put",
        description = "Copy a local file or directory tree to the target (modes and times kept, sha256 checked).",
        mixinStandardHelpOptions = true)
final class PutCommand extends TransferCommand {
    @Override
    public Integer call() throws Exception {
        return transfer("put", context -> context.put(Path.of(source), destination));
    }
}
