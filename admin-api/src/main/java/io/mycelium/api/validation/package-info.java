/**
 * Validation of the node's JSON input: every HTTP body and WebSocket message type has a JSON Schema shipped with the
 * code (resources under {@code /schemas}), checked by {@link io.mycelium.api.validation.Schemas} before anything
 * reads it.
 */
package io.mycelium.api.validation;
