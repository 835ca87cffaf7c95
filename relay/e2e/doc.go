// Package e2e holds the end-to-end tests of Pika!'s web pages: a real relay
// (relaytest) on 127.0.0.1 with a temporary libSQL database, a DJ speaking
// the WebSocket protocol, and dancers' pages in headless Chromium driven
// with chromedp. Screenshots for people to look at go to $PIKA_TEST_OUTPUT.
package e2e
