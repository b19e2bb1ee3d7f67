package io.mycelium.exec.policy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a policy decides on: who asks to run what, on which host, how.
 *
 * @param principal the authenticated principal's name
 * @param hostLabels the labels of the target host
 * @param command program and arguments
 * @param user the user to run as, or null for the host's login user
 * @param workDir the working directory, or null for the agent's
 * @param timeout the requested timeout, or null
 * @param environment variables requested on top of the agent's
 * @param interactive whether stdin is streamed (WebSocket)
 * @param tty whether a terminal is requested
 */
public record PolicyRequest(
        String principal,
        Map<String, String> hostLabels,
        List<String> command,
        String user,
        String workDir,
        Duration timeout,
        Map<String, String> environment,
        boolean interactive,
        boolean tty) {}
