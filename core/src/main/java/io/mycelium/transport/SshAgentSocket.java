package io.mycelium.transport;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.apache.sshd.agent.common.AbstractAgentProxy;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * A client of the user's ssh-agent ({@code $SSH_AUTH_SOCK}) for the MINA transport, over the JDK's own Unix domain
 * sockets. MINA's {@code UnixAgentFactory} needs Tomcat's native APR library; this needs nothing. MINA's {@link
 * AbstractAgentProxy} speaks the agent protocol; this class only moves its messages, one request at a time:
 *
 * <pre>
 * +----------------+---------------------+
 * | u32 length (n) | n bytes: type, body |   both ways; a reply follows each request
 * +----------------+---------------------+
 * </pre>
 */
final class SshAgentSocket extends AbstractAgentProxy {
    /** The agent protocol has no message near this; a longer reply is a broken or hostile agent. */
    private static final int MAX_REPLY = 256 * 1024;

    private final Path socket;
    private final SocketChannel channel;

    private SshAgentSocket(Path socket, SocketChannel channel) {
        super(null);
        this.socket = socket;
        this.channel = channel;
    }

    /** Connects to the agent listening on {@code socket}. */
    static SshAgentSocket connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return new SshAgentSocket(socket, channel);
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot reach the ssh-agent at " + socket + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    protected synchronized Buffer request(Buffer buffer) throws IOException {
        int end = buffer.wpos();
        buffer.wpos(0);
        buffer.putUInt(end - 4L);
        buffer.wpos(end);
        ByteBuffer out = ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available());
        while (out.hasRemaining()) {
            channel.write(out);
        }
        ByteBuffer header = readFully(4);
        int length = header.getInt();
        if (length < 1 || length > MAX_REPLY) {
            throw new SshException("the ssh-agent at " + socket + " sent a reply of " + Integer.toUnsignedString(length)
                    + " bytes (at most " + MAX_REPLY + " expected)");
        }
        return new ByteArrayBuffer(readFully(length).array());
    }

    private ByteBuffer readFully(int length) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(length);
        while (in.hasRemaining()) {
            if (channel.read(in) < 0) {
                throw new SshException("the ssh-agent at " + socket + " closed the connection mid-reply");
            }
        }
        return in.flip();
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            super.close();
        }
    }
}
