-- A maker's own items waiting for others (the queue's "等待他人处理").
CREATE INDEX wf_items_maker ON wf_items (county, maker, state, id);
