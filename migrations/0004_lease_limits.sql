-- Leases a node may hold follow the search threads it registers. Nodes
-- registered by an older agent have no thread count: the hive then assumes one thread.
ALTER TABLE nodes ADD COLUMN threads integer CHECK (threads > 0);

-- A node's outstanding leases are counted at every lease request.
CREATE INDEX units_leased_by_node ON units (node_id) WHERE status = 'leased';
