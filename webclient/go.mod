module github.com/pikadj/pika/webclient

go 1.26
