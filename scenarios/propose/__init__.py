"""Proposals and repairs: plans that meet a rule set and a scenario (no Streamlit here).

```python
from scenarios.propose import propose, repair

result = propose(gd, rule_set, scenario, start=plan, cover="all", seed=0, time_limit=5,
                 progress=lambda fraction, message: ...)
result.plan, result.unmet, result.summary()
```
"""

from scenarios.propose.api import ProposalResult, Unmet, propose, repair

__all__ = ["ProposalResult", "Unmet", "propose", "repair"]
