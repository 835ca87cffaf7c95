module github.com/pikadj/pika/shared

go 1.26
