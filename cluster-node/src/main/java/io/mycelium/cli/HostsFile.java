package io.mycelium.cli;

import io.mycelium.transport.OpenSsh;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The hosts of {@code exec --hosts-file}: one {@code USER@ADDR[:PORT]} a line; blank lines and everything from a
 * {@code #} on are ignored. A line that is not a host, or names a host again, is an error naming the file and line.
 */
final class HostsFile {
    private HostsFile() {}

    /** The hosts in {@code file}, in its order. */
    static List<String> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("hosts file " + file + " does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read hosts file " + file + ": " + e.getMessage(), e);
        }
        return parse(file.toString(), lines);
    }

    static List<String> parse(String name, List<String> lines) {
        List<String> hosts = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String host = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (host.isEmpty()) {
                continue;
            }
            String where = "hosts file " + name + ", line " + lineNumber;
            if (host.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(where + ": one USER@ADDR[:PORT] per line, got: " + host);
            }
            try {
                OpenSsh.Address.parse(host);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage().replace("jump host", "host"), e);
            }
            Integer first = seen.putIfAbsent(host, lineNumber);
            if (first != null) {
                throw new IllegalArgumentException(where + ": " + host + " is already on line " + first);
            }
            hosts.add(host);
        }
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("hosts file " + name + " names no host");
        }
        return hosts;
    }
}
