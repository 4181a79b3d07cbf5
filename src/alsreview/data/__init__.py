"""The curated data: where it lives, how it is read and checked, and what its codes mean.

Owns the paths of the project (`paths`), the one error shape (`errors`), safe reading of bytes (`files`), the
data dictionary (`schema`, from data/datapackage.json), the CSVs as text cells (`raw`), validation (`validate`),
typed tables (`load`), the canonical rewrite (`tidy`), the generated docs/data-dictionary.md (`dictionary`), and the
rules and vocabulary the validator shares with the analyses: which side a result favours (`favours`), which
works test exercise and how a selection is made (`subset`), and readable names for codes (`labels`).

The bottom of the package: it imports nothing from the other stages.
"""
