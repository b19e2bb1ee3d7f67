package io.mycelium;

import java.time.Duration;

/**
 * What {@link Context#ensureAgent()} found or did to get an agent running.
 *
 * @param software the agent's name and version
 * @param pid the agent's process id on its host
 * @param javaVersion the Java runtime the agent runs on
 * @param os the agent host's operating system
 * @param arch the agent host's architecture
 * @param transport how the controller reaches the agent
 * @param loadPath how the agent's code got onto the host and into the JVM
 * @param connectTime time from opening the transport to the completed handshake
 * @param hostBanner what the host printed before the agent started (a login banner), skipped; empty if nothing
 */
public record AgentInfo(
        String software,
        long pid,
        String javaVersion,
        String os,
        String arch,
        String transport,
        String loadPath,
        Duration connectTime,
        String hostBanner) {}
