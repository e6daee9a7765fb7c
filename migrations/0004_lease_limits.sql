-- keyforge:release 0.1.0
-- Leases a node may hold follow the search threads it registers. Nodes
-- registered by an older agent have no thread count: the hive then assumes one thread.
-- keyforge:allow-lock released before the lock rules; the CHECK's scan finds only NULLs
ALTER TABLE nodes ADD COLUMN threads integer CHECK (threads > 0);

-- A node's outstanding leases are counted at every lease request.
-- keyforge:allow-lock released before the lock rules (and before CONCURRENTLY was supported)
CREATE INDEX units_leased_by_node ON units (node_id) WHERE status = 'leased';
