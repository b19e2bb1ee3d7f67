package io.mycelium.mesh;

import io.mycelium.journal.testkit.GoldenSystem;
import io.mycelium.mesh.agent.AgentFacts;
import io.mycelium.mesh.agent.InstanceFact;
import io.mycelium.mesh.fabric.Budget;
import io.mycelium.mesh.fabric.Endpoint;
import io.mycelium.mesh.fabric.Plan;
import io.mycelium.mesh.fabric.PlanLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The stored and wire format of the mesh's records, pinned in src/test/resources/golden: plans, budgets and endpoints
 * (replicated with Distributed Data), the plan log's facts and messages, and the node agents' instance facts.
 */
class MeshGoldenBytesTest {
    static final Instant AT = Instant.parse("2026-11-22T02:00:00.123456789Z");
    static final Plan PLAN = new Plan("billing", "ab".repeat(32), 1, 2, 0);
    static final Budget BUDGET = new Budget("billing", 2, 500, 128);

    @RegisterExtension
    static final GoldenSystem golden = new GoldenSystem();

    @Test
    void fabric() {
        golden.assertMatches("mesh-plan-v1", PLAN);
        golden.assertMatches("mesh-budget-v1", BUDGET);
        golden.assertMatches("mesh-endpoint-v1", new Endpoint("billing", "http://127.0.0.1:4000", "n1"));
    }

    @Test
    void planLog() {
        PlanLog.PlanPublished published = new PlanLog.PlanPublished(PLAN, "alice", AT);
        golden.assertMatches("mesh-plan-published-v1", published);
        golden.assertMatches("mesh-budget-set-v1", new PlanLog.BudgetSet(BUDGET, "alice", AT));
        golden.assertMatches("mesh-publish-v1", new PlanLog.Publish(PLAN, "alice", golden.ref()));
        golden.assertMatches("mesh-set-budget-v1", new PlanLog.SetBudget(BUDGET, "alice", golden.ref()));
        golden.assertMatches("mesh-get-history-v1", new PlanLog.GetHistory("billing", golden.ref()));
        golden.assertMatches("mesh-history-v1", new PlanLog.History(new ArrayList<>(List.of(published))));
        Map<String, List<PlanLog.PlanPublished>> plans = new HashMap<>();
        plans.put("billing", new ArrayList<>(List.of(published)));
        Map<String, Budget> budgets = new HashMap<>();
        budgets.put("billing", BUDGET);
        golden.assertMatches("mesh-plan-log-state-v1", new PlanLog.State(plans, budgets));
    }

    @Test
    void instanceFacts() {
        InstanceFact fact =
                new InstanceFact(InstanceFact.Kind.EXITED, "billing", "ab".repeat(32), 4242, "exit 137", AT);
        golden.assertMatches("mesh-instance-fact-v1", fact);
        golden.assertMatches("mesh-agent-record-v1", new AgentFacts.Record(fact));
        golden.assertMatches("mesh-agent-recent-v1", new AgentFacts.Recent(golden.ref()));
        golden.assertMatches("mesh-agent-facts-v1", new AgentFacts.Facts(new ArrayList<>(List.of(fact))));
        golden.assertMatches("mesh-agent-state-v1", new AgentFacts.State(new ArrayList<>(List.of(fact))));
    }
}
