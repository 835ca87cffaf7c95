// Package deploytest checks the deployment files in deploy/ and
// relay/Dockerfile, which cannot run here (no Docker engine): it parses
// the compose file and the cloudflared example as YAML and reads the
// systemd units, the Dockerfile and .env.example, and fails on what would
// break or weaken a deploy (a missing health check, a port open to the
// world, a secret written inline, a setting nobody documented).
package deploytest
