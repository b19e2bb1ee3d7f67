package io.mycelium.agent;

import io.mycelium.wire.CreditWindow;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.Message;
import io.mycelium.wire.OperationFailedException;
import io.mycelium.wire.ReceiveWindow;
import io.mycelium.wire.WireProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one process: stdout and stderr are pumped to the controller under credit (no credit, no read: the process
 * blocks on its pipe), stdin arrives under the agent's credit, and the process tree is killed on cancel, timeout or
 * when the connection closes. A child link ({@link Message.ChildStart}) is an exec of the program that reaches the child
 * (its bytes pass through unread); its {@link ChildFiles} are removed as soon as the program first writes to stdout.
 */
final class ExecStream implements AgentStream {
    private static final byte[] EOF = new byte[0];
    private static final int SIGKILL = 9;

    private final int id;
    private final AgentConnection connection;
    private final Message.ExecStart request;
    private final ChildFiles childFiles;
    private final CreditWindow stdoutCredit;
    private final CreditWindow stderrCredit;
    private final ReceiveWindow stdinWindow;
    private final LinkedBlockingQueue<byte[]> stdin = new LinkedBlockingQueue<>();
    private final CountDownLatch stderrDone = new CountDownLatch(1);
    private volatile Process process;
    private volatile boolean cancelled;
    private volatile boolean timedOut;
    private volatile boolean killed;
    private ScheduledFuture<?> timeout;

    ExecStream(int id, AgentConnection connection, Message.ExecStart request) {
        this(id, connection, request, null);
    }

    /** @param childFiles the secrets of a child link's program, removed once it wrote to stdout or ended; or null */
    ExecStream(int id, AgentConnection connection, Message.ExecStart request, ChildFiles childFiles) {
        this.id = id;
        this.connection = connection;
        this.request = request;
        this.childFiles = childFiles;
        this.stdoutCredit = new CreditWindow(connection.peerWindow());
        this.stderrCredit = new CreditWindow(connection.peerWindow());
        this.stdinWindow = new ReceiveWindow(connection.ownWindow());
    }

    void start() {
        connection.runStream(id, this::run);
    }

    @Override
    public void onMessage(Message message) {
        if (message instanceof Message.CreditGrant grant) {
            if (grant.channel() == Message.Channel.STDOUT) {
                stdoutCredit.grant(grant.bytes());
            } else if (grant.channel() == Message.Channel.STDERR) {
                stderrCredit.grant(grant.bytes());
            } else {
                throw new WireProtocolException(-1, "credit for " + grant.channel() + " on exec stream " + id);
            }
        } else if (message instanceof Message.StdinData data) {
            synchronized (stdinWindow) {
                stdinWindow.received(data.data().length);
            }
            if (data.data().length > 0) {
                stdin.add(data.data());
            }
        } else if (message instanceof Message.StdinEof) {
            stdin.add(EOF);
        } else if (message instanceof Message.Cancel) {
            cancelled = true;
            kill();
        } else {
            throw new WireProtocolException(
                    -1, "unexpected " + message.getClass().getSimpleName() + " on exec stream " + id);
        }
    }

    @Override
    public void abort() {
        cancelled = true;
        kill();
        removeChildFiles();
        stdoutCredit.close();
        stderrCredit.close();
        stdin.add(EOF);
    }

    private void run() {
        try {
            runProcess();
        } finally {
            removeChildFiles();
        }
    }

    private void removeChildFiles() {
        if (childFiles != null) {
            childFiles.remove();
        }
    }

    private void runProcess() {
        long started = System.nanoTime();
        try {
            process = connection.launcher().start(request);
        } catch (OperationFailedException e) {
            connection.finish(id, OperationFailedException.toFailure(e));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connection.finish(id, OperationFailedException.toFailure(e));
            return;
        }
        long pid = process.pid();
        connection.guard().hold(pid);
        connection.send(id, new Message.ExecStarted(pid));
        if (cancelled) {
            kill();
        }
        if (request.timeoutMillis() > 0) {
            timeout = connection.timer().schedule(this::expire, request.timeoutMillis(), TimeUnit.MILLISECONDS);
        }
        try {
            if (request.pipeStdin()) {
                connection.work(this::feedStdin);
            }
            connection.work(() -> {
                pump(process.getErrorStream(), stderrCredit, Message.Channel.STDERR);
                stderrDone.countDown();
            });
        } catch (RejectedExecutionException busy) {
            // Without its helper threads the exec cannot run: stop it rather than leave the caller waiting.
            cancelled = true;
            kill();
            connection.finish(
                    id,
                    OperationFailedException.toFailure(new OperationFailedException(
                            ErrorCode.AGENT_BUSY, "agent: no worker thread free for " + request.argv()[0], busy)));
            return;
        }
        pump(process.getInputStream(), stdoutCredit, Message.Channel.STDOUT);
        int exitCode;
        try {
            exitCode = process.waitFor();
            stderrDone.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            exitCode = -1;
        }
        if (timeout != null) {
            timeout.cancel(false);
        }
        stdin.add(EOF);
        connection.finish(
                id,
                new Message.Exited(exitCode, killed ? SIGKILL : 0, timedOut, cancelled, System.nanoTime() - started));
    }

    private void pump(InputStream in, CreditWindow credit, Message.Channel channel) {
        byte[] buffer = new byte[AgentConnection.CHUNK];
        try (in) {
            while (true) {
                int allowed = credit.acquire(buffer.length);
                if (allowed < 0) {
                    return;
                }
                int n = in.read(buffer, 0, allowed);
                if (n < 0) {
                    return;
                }
                if (n < allowed) {
                    credit.grant(allowed - n);
                }
                if (channel == Message.Channel.STDOUT) {
                    // A child link's program writes to stdout only once it got through: its secrets can go.
                    removeChildFiles();
                }
                connection.send(id, new Message.Output(channel, Arrays.copyOf(buffer, n)));
            }
        } catch (IOException e) {
            // The pipe closed under us (process killed): what was read has been sent.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void feedStdin() {
        OutputStream out = process.getOutputStream();
        boolean open = true;
        try {
            while (true) {
                byte[] data = stdin.take();
                if (data == EOF) {
                    break;
                }
                if (open) {
                    try {
                        out.write(data);
                        out.flush();
                    } catch (IOException processStoppedReading) {
                        // Keep consuming so the controller's credit keeps flowing; the bytes have nowhere to go.
                        open = false;
                    }
                }
                int grant;
                synchronized (stdinWindow) {
                    grant = stdinWindow.consumed(data.length);
                }
                if (grant > 0) {
                    connection.send(id, new Message.CreditGrant(Message.Channel.STDIN, grant));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                out.close();
            } catch (IOException ignored) {
                // The process has exited; its stdin is gone either way.
            }
        }
    }

    private void expire() {
        timedOut = true;
        kill();
    }

    private void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        // The leader may be gone while its group still holds the pipes: signal the group regardless.
        killed |= p.isAlive();
        if (connection.launcher().groupsProcesses()) {
            connection.guard().killGroup(p.pid());
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }
}
