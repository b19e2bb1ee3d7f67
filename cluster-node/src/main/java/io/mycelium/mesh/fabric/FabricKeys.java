package io.mycelium.mesh.fabric;

import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;

/** The Distributed Data keys of the control fabric; node agents and the edge subscribe to them. */
public final class FabricKeys {
    /** app -> its current plan. */
    public static final Key<LWWMap<String, Plan>> PLANS = LWWMapKey.create("mycelium-mesh-plans");
    /** app -> its budget. */
    public static final Key<LWWMap<String, Budget>> BUDGETS = LWWMapKey.create("mycelium-mesh-budgets");
    /** "app/nodeId" -> the newest endpoint of that app on that node agent. */
    public static final Key<LWWMap<String, Endpoint>> ENDPOINTS = LWWMapKey.create("mycelium-mesh-endpoints");

    private FabricKeys() {}
}
