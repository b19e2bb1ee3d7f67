package io.mycelium;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * What every stream actor of a context needs to know.
 *
 * @param streamId the stream, and the operation's correlation id
 * @param contextName the context's name, for errors
 * @param outbox the connection's outbound frames
 * @param parent the context actor, told about protocol violations
 * @param peerWindow the credit the agent grants on each of its receiving channels
 * @param ownWindow the credit this side grants the agent
 * @param chunkSize the largest data chunk to send
 */
record StreamSetup(
        int streamId,
        String contextName,
        Outbox outbox,
        ActorRef<ContextActor.Command> parent,
        int peerWindow,
        int ownWindow,
        int chunkSize) {}
