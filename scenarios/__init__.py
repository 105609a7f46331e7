"""Plan evaluation: subsidy rule sets and the three regisseur scenarios.

See docs/rules-and-scenarios.md. Main entry points: :func:`scenarios.evaluate.evaluate`,
:func:`scenarios.evaluate.evaluator_for` (interactive), :func:`scenarios.rules.load_rule_set`,
:func:`scenarios.rules.with_overrides`, :func:`scenarios.definitions.load_scenario`.
"""
