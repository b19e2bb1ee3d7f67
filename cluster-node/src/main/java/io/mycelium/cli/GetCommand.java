package io.mycelium.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;

/** {@code mycelium get}: copies a file or tree from the target to this machine. */
@Command(
        name = "get",
        description = "Copy a file or directory tree from the target to here (modes and times kept, sha256 checked).",
        mixinStandardHelpOptions = true)
final class GetCommand extends TransferCommand {
    @Override
    public Integer call() throws Exception {
        return transfer("got", context -> context.get(source, Path.of(destination)));
    }
}
