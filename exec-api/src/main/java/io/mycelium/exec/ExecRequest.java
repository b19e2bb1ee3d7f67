package io.mycelium.exec;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A validated exec request (see {@link ExecRequestParser} for its JSON form).
 *
 * @param id the execution id, chosen by the client or generated
 * @param agentId the registered host to run on
 * @param command program and arguments
 * @param workDir the working directory on the host, or null
 * @param environment variables to set
 * @param stdin bytes for stdin, or null
 * @param timeout the requested timeout, or null
 * @param user the user to run as (through {@code sudo -n}), or null for the host's login user
 * @param interactive whether stdin is streamed over a WebSocket
 * @param tty whether a terminal is requested
 * @param requestedBy the principal, as the client states it (must match the authenticated one when given)
 * @param requestTime when the client made the request, as it states it; null when not given
 */
public record ExecRequest(
        String id,
        String agentId,
        List<String> command,
        String workDir,
        Map<String, String> environment,
        byte[] stdin,
        Duration timeout,
        String user,
        boolean interactive,
        boolean tty,
        String requestedBy,
        Instant requestTime) {}
