module github.com/pikadj/pika/relay

go 1.26

require github.com/pikadj/pika/shared v0.0.0

replace github.com/pikadj/pika/shared => ../shared

require github.com/pikadj/pika/webclient v0.0.0

replace github.com/pikadj/pika/webclient => ../webclient
