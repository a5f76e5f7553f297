"""Fixed answer sets of the graded practice types: Ashworth, MRC, EMG pattern, atrophy type."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    """An ordered set of allowed answers, each with the label a learner sees."""

    noun: str
    choices: tuple[tuple[str, str], ...]

    @property
    def values(self) -> tuple[str, ...]:
        """Return the allowed answer values in display order."""
        return tuple(value for value, _ in self.choices)


# Wording follows the content brief (Bohannon and Smith 1987; MRC Memorandum 45).
ASHWORTH = Scale(
    noun="a Modified Ashworth grade",
    choices=(
        ("0", "0: no increase in muscle tone"),
        ("1", "1: slight increase; a catch and release, or minimal resistance at the end of range"),
        ("1+", "1+: slight increase; a catch, then minimal resistance through the rest of the "
               "range (less than half of it)"),
        ("2", "2: more marked increase through most of the range, but the part still moves easily"),
        ("3", "3: considerable increase; passive movement is difficult"),
        ("4", "4: the part is rigid in flexion or extension"),
    ),
)

MRC = Scale(
    noun="an MRC grade (0 to 5)",
    choices=(
        ("0", "0: no contraction"),
        ("1", "1: flicker or trace of contraction"),
        ("2", "2: active movement with gravity eliminated"),
        ("3", "3: active movement against gravity"),
        ("4", "4: active movement against gravity and resistance"),
        ("5", "5: normal power"),
    ),
)

EMG = Scale(
    noun="a needle-EMG pattern",
    choices=(
        ("normal", "Normal"),
        ("denervation", "Denervation"),
        ("myopathic", "Myopathic"),
        ("upper_motor_neuron", "Upper motor neuron pattern"),
    ),
)

ATROPHY = Scale(
    noun="a type of muscle atrophy",
    choices=(
        ("disuse", "Disuse atrophy"),
        ("neurogenic", "Neurogenic atrophy"),
        ("steroid", "Steroid-induced myopathy"),
        ("sarcopenia", "Sarcopenia"),
        ("cachexia", "Cachexia"),
    ),
)

SCALES: dict[str, Scale] = {
    "ashworth": ASHWORTH,
    "mrc": MRC,
    "emg": EMG,
    "atrophy": ATROPHY,
}

TRACE_KINDS: tuple[str, ...] = EMG.values
