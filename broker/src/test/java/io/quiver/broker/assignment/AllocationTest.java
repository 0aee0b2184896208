package io.quiver.broker.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Unit tier: the broker allocates queues as the official clients' strategies do, covering every queue once. */
class AllocationTest {
    private static List<Integer> queues(int n) {
        List<Integer> q = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            q.add(i);
        }
        return q;
    }

    @Test
    void averagelyGivesContiguousSharesTheFirstClientsOneMore() {
        List<String> clients = List.of("a", "b", "c");
        assertThat(Allocation.allocate("AVG", queues(8), clients, "a")).containsExactly(0, 1, 2);
        assertThat(Allocation.allocate("AVG", queues(8), clients, "b")).containsExactly(3, 4, 5);
        assertThat(Allocation.allocate("AVG", queues(8), clients, "c")).containsExactly(6, 7);
        assertThat(Allocation.allocate("AVG", queues(2), clients, "c")).as("more clients than queues").isEmpty();
        assertThat(Allocation.allocate("AVG", queues(2), clients, "b")).containsExactly(1);
        assertThat(Allocation.allocate("AVG", queues(8), clients, "z")).as("not a member").isEmpty();
    }

    @Test
    void byCircleDealsTheQueuesRound() {
        List<String> clients = List.of("a", "b", "c");
        assertThat(Allocation.allocate("AVG_BY_CIRCLE", queues(8), clients, "a")).containsExactly(0, 3, 6);
        assertThat(Allocation.allocate("AVG_BY_CIRCLE", queues(8), clients, "c")).containsExactly(2, 5);
        assertThat(Allocation.known("AVG")).isTrue();
        assertThat(Allocation.known("CONSISTENT_HASH")).isFalse();
    }

    @Test
    void everyQueueGoesToExactlyOneClient() {
        for (String strategy : List.of("AVG", "AVG_BY_CIRCLE")) {
            for (int n = 1; n <= 17; n++) {
                for (int c = 1; c <= 6; c++) {
                    List<String> clients = new ArrayList<>();
                    for (int i = 0; i < c; i++) {
                        clients.add("c" + i);
                    }
                    Set<Integer> seen = new HashSet<>();
                    int total = 0;
                    for (String client : clients) {
                        List<Integer> mine = Allocation.allocate(strategy, queues(n), clients, client);
                        seen.addAll(mine);
                        total += mine.size();
                    }
                    assertThat(total).as("%s %d queues %d clients", strategy, n, c).isEqualTo(n);
                    assertThat(seen).hasSize(n);
                }
            }
        }
    }
}
