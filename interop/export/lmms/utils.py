# Helpers for the lmms-eval task written by "emohallucer suite export --format lmms-eval".
#
# Each document is one question of an emohallucer pair: a basic question (gold
# "yes") or a hallucinated one (gold "no") about the same input. The media
# paths in "media" are relative to this file's folder.
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def doc_to_visual(doc):
    """Images as RGB PIL images; videos and audio as file paths."""
    out = []
    for m in doc.get("media") or []:
        full = os.path.join(HERE, m["path"])
        if m["kind"] == "image":
            from PIL import Image

            out.append(Image.open(full).convert("RGB"))
        else:
            out.append(full)
    return out


def doc_to_text(doc, lmms_eval_specific_kwargs=None):
    kwargs = lmms_eval_specific_kwargs or {}
    text = doc["question"]
    if doc.get("context"):
        text = doc["context"] + "\n\n" + text
    return kwargs.get("pre_prompt", "") + text + kwargs.get("post_prompt", "")


def first_word(text):
    """emohallucer rule first-word: lower-case, first alphabetic word; yes/no or unparsed."""
    text = (text or "").lower()
    word = []
    for ch in text:
        if ch.isalpha():
            word.append(ch)
        elif word:
            break
    w = "".join(word)
    return w if w in ("yes", "no") else "unparsed"


def process_results(doc, results):
    answer = first_word(results[0] if results else "")
    correct = 1.0 if answer == doc["answer"] else 0.0
    return {
        "accuracy": correct,
        "unparsed": 1.0 if answer == "unparsed" else 0.0,
        "pair_accuracy": {"pair_id": doc["pair_id"], "correct": correct},
    }


def pair_accuracy(items):
    """Share of pairs whose two questions are both right (random guessing: 0.25)."""
    pairs = {}
    for it in items:
        pairs.setdefault(it["pair_id"], []).append(it["correct"])
    if not pairs:
        return 0.0
    return sum(1 for v in pairs.values() if len(v) == 2 and all(v)) / len(pairs)
