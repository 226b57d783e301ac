// Package integration holds tests that run the real emohallucer binary against
// real model servers on loopback: Ollama v0.17.4 serving tiny random-weight GGUF
// models (testservers/ollama), and the face-expression expert, an
// OpenAI-compatible server around face-api's expression model
// (testservers/faceexpert).
//
// The servers are prebuilt by .ci/integration.sh into a cache folder
// ($EMOHALLUCER_CI_CACHE, default ~/.cache/emohallucer-ci). When they are
// missing the tests skip with a message on a developer machine, and fail when
// the environment variable CI is set (so CI never passes by skipping).
//
// Each test binary starts each server once and loads each model once; the
// tests share them.
package integration
