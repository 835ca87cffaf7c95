module github.com/pikadj/pika/desktop

go 1.26

require github.com/pikadj/pika/shared v0.0.0

replace github.com/pikadj/pika/shared => ../shared
