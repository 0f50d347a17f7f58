-- Help requests (cases), the risk screen, escalation, relayed messages: see issue 3.
SELECT 1;
