package io.mycelium;

/**
 * One link of a cause chain that happened on the agent's side. The original exception class is not loaded here, so
 * its name is kept as {@link #remoteType()}.
 */
public final class RemoteCauseException extends RuntimeException {
    private final String remoteType;

    RemoteCauseException(String remoteType, String message, Throwable cause) {
        super(remoteType + (message == null ? "" : ": " + message), cause);
        this.remoteType = remoteType;
    }

    /** Class name of the remote exception. */
    public String remoteType() {
        return remoteType;
    }
}
