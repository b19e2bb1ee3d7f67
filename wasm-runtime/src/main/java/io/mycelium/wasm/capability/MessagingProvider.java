package io.mycelium.wasm.capability;

import java.time.Duration;
import java.util.Optional;

/** The {@link Capability#MESSAGING} capability: publish to a subject, or send a request and wait for one reply. */
public non-sealed interface MessagingProvider extends CapabilityProvider {
    /** Publishes {@code body} on {@code subject}. */
    void publish(String subject, byte[] body);

    /**
     * Sends {@code body} to {@code subject} and waits up to {@code timeout} for a reply; empty when nobody answers.
     * Throws {@link ProviderException} with {@link AbiStatus#TIMEOUT} when the wait runs out.
     */
    Optional<byte[]> request(String subject, byte[] body, Duration timeout);

    @Override
    default Capability capability() {
        return Capability.MESSAGING;
    }
}
