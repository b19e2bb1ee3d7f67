package io.mycelium;

import java.time.Duration;

/**
 * What a {@link Context#put} or {@link Context#get} moved.
 *
 * @param entries files, directories and links written
 * @param bytes file content bytes written
 * @param duration wall-clock time of the transfer
 */
public record TransferResult(long entries, long bytes, Duration duration) {}
