package io.mycelium.wasm.capability;

/** The {@link Capability#HTTP} capability: outbound requests, which the provider may restrict (hosts, methods). */
public non-sealed interface HttpProvider extends CapabilityProvider {
    /** Sends {@code request} and returns the response; throws {@link ProviderException} to refuse or fail it. */
    HttpResponse send(HttpRequest request);

    @Override
    default Capability capability() {
        return Capability.HTTP;
    }
}
